package dev.leaderelection.testing.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private ServerSocket echoServer;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private TcpProxy proxy;

    @BeforeEach
    void startEchoServerBehindAProxy() throws IOException {
        echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::echoAll);
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = new TcpProxy(echoServer.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echoServer.close();
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket socket = connect(Duration.ofSeconds(5))) {
            assertThat(roundTrip(socket, "ping")).isEqualTo("ping");
            assertThat(proxy.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void latencyDelaysEveryChunk() throws IOException {
        try (Socket socket = connect(Duration.ofSeconds(5))) {
            proxy.latency(Duration.ofMillis(200));
            long started = System.nanoTime();
            assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
            // once up and once down
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }

    @Test
    void heldRepliesArriveLateOnceHealedWhileTheRequestStillReachesTheServer() throws IOException {
        try (Socket socket = connect(Duration.ofMillis(300))) {
            proxy.hold(Direction.DOWNSTREAM);
            send(socket, "executed");

            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("executed"));
            BufferedReader in = reader(socket);
            assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(in::readLine);

            proxy.heal();
            socket.setSoTimeout(5_000);
            assertThat(in.readLine()).isEqualTo("executed");
        }
    }

    @Test
    void heldRequestsNeverReachTheServerBeforeHealing() throws IOException {
        try (Socket socket = connect(Duration.ofSeconds(5))) {
            proxy.hold(Direction.UPSTREAM, Direction.DOWNSTREAM);
            send(socket, "held");

            await().during(Duration.ofMillis(300)).until(() -> !received.contains("held"));
            proxy.heal();
            assertThat(reader(socket).readLine()).isEqualTo("held");
        }
    }

    @Test
    void resetClosesOpenConnectionsAndLosesHeldBytes() throws IOException {
        try (Socket socket = connect(Duration.ofSeconds(5))) {
            proxy.hold(Direction.DOWNSTREAM);
            send(socket, "lost");
            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("lost"));

            proxy.resetConnections();
            proxy.heal();

            assertThat(reader(socket).readLine()).isNull();
            assertThat(proxy.openConnections()).isZero();
        }
        try (Socket again = connect(Duration.ofSeconds(5))) {
            assertThat(roundTrip(again, "new")).isEqualTo("new");
        }
    }

    private Socket connect(Duration readTimeout) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout((int) readTimeout.toMillis());
        return socket;
    }

    private static String roundTrip(Socket socket, String line) throws IOException {
        send(socket, line);
        return reader(socket).readLine();
    }

    private static void send(Socket socket, String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line + "\n").getBytes(UTF_8));
        out.flush();
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    private void echoAll() {
        while (!echoServer.isClosed()) {
            try {
                Socket socket = echoServer.accept();
                Thread session = new Thread(() -> echo(socket));
                session.setDaemon(true);
                session.start();
            } catch (IOException ex) {
                return;
            }
        }
    }

    private void echo(Socket socket) {
        try (socket) {
            BufferedReader in = reader(socket);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                received.add(line);
                send(socket, line);
            }
        } catch (IOException ex) {
            // closed
        }
    }
}
