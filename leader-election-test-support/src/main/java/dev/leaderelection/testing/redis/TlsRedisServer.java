package dev.leaderelection.testing.redis;

import dev.leaderelection.testing.process.LogDirectories;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} process that also listens with TLS, on a certificate made for it: a fresh
 * self-signed one for {@code 127.0.0.1} and {@code localhost}, made with the JDK's {@code keytool},
 * written as PEM files that a client trusts ({@link #certificate()}). The plain port stays open for
 * the test's own commands ({@link #command}); clients under test use {@link #tlsPort()}.
 */
public final class TlsRedisServer implements AutoCloseable {

    private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final String PASSWORD = "changeit";

    private final ProcessRedisServer server;
    private final int tlsPort;
    private final Path certificate;

    private TlsRedisServer(ProcessRedisServer server, int tlsPort, Path certificate) {
        this.server = server;
        this.tlsPort = tlsPort;
        this.certificate = certificate;
    }

    /**
     * Whether the {@code redis-server} binary was built with TLS: one that was not rejects {@code
     * tls-port} as an unknown directive.
     */
    public static boolean binarySupportsTls() {
        try {
            Process probe = new ProcessBuilder(
                            RedisBinary.path().toString(), "--port", "0", "--tls-port", "1", "--loglevel", "warning")
                    .redirectErrorStream(true)
                    .start();
            String output;
            try (InputStream in = probe.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!probe.waitFor(10, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
            }
            // A TLS build stops at the missing certificate, before it listens anywhere.
            return output.contains("tls-cert-file");
        } catch (IOException ex) {
            return false;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Makes a certificate and key and starts the server with them. */
    public static TlsRedisServer start() {
        Path dir = directory();
        Path certificate = dir.resolve("redis.crt");
        Path key = dir.resolve("redis.key");
        writeSelfSignedCertificate(dir.resolve("redis.p12"), certificate, key);
        int tlsPort = LocalPorts.findFree();
        ProcessRedisServer server = new ProcessRedisServer(
                null,
                List.of(
                        "--tls-port",
                        Integer.toString(tlsPort),
                        "--tls-cert-file",
                        certificate.toString(),
                        "--tls-key-file",
                        key.toString(),
                        "--tls-ca-cert-file",
                        certificate.toString(),
                        "--tls-auth-clients",
                        "no"));
        server.start();
        return new TlsRedisServer(server, tlsPort, certificate);
    }

    /** The address to connect to: always the loopback address. */
    public String host() {
        return server.host();
    }

    /** The port that speaks TLS only. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The plain port, for the test's own commands. */
    public int plainPort() {
        return server.port();
    }

    /** The server's certificate, PEM: the one certificate a client needs to trust. */
    public Path certificate() {
        return certificate;
    }

    /** Sends one command over the plain port; see {@link RedisServer#command}. */
    public String command(String... args) {
        return String.valueOf(server.command(args));
    }

    @Override
    public void close() {
        server.close();
    }

    private static Path directory() {
        try {
            // absolute: redis-server changes its working directory to its data directory
            return Files.createTempDirectory(LogDirectories.create("redis-logs"), "tls-")
                    .toAbsolutePath();
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot create a directory for the certificate", ex);
        }
    }

    private static void writeSelfSignedCertificate(Path keyStore, Path certificate, Path key) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        run(List.of(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "redis",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-ext",
                "BC=ca:true",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD));
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            Key privateKey = store.getKey("redis", PASSWORD.toCharArray());
            Files.writeString(
                    certificate,
                    pem("CERTIFICATE", store.getCertificate("redis").getEncoded()));
            Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded())); // PKCS#8
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot write the certificate as PEM", ex);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Cannot read the key store that keytool wrote", ex);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void run(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(KEYTOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " failed: " + output);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot run " + command.get(0), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running keytool", ex);
        }
    }
}
