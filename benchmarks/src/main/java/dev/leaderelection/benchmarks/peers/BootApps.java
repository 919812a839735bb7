package dev.leaderelection.benchmarks.peers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;

/**
 * What the benchmark's Spring Boot applications share: their command line, the properties every
 * one of them runs with (a web server on a free port, Spring Boot's Redis connection) and the event
 * lines they print on standard output, {@code EVENT <nanoTime> <kind> [details...]}, as the
 * harness's own elector processes print them.
 *
 * <p>Arguments of every application: {@code <redis port> <election> <instance id> <lease ms> <renew
 * ms> <operation timeout ms>}; the peers use only the lease of the three timings.
 */
public final class BootApps {

    /** Printed once the application is ready (its context refreshed, its web server up). */
    public static final String READY = "READY";

    /** Printed when this instance becomes leader, right after the library said so. */
    public static final String GRANTED = "GRANTED";

    /** Printed when this instance stops being leader. */
    public static final String REVOKED = "REVOKED";

    /** Printed when the application context begins to close (SIGTERM runs this in a shutdown hook). */
    public static final String CLOSING = "CLOSING";

    private BootApps() {}

    /**
     * The command line of one application.
     *
     * @param redisPort the Redis server's loopback port
     * @param election the election, lock or role name
     * @param instanceId this instance
     * @param leaseMillis the lease (the peers: their lock's expiry, or Redisson's watchdog timeout)
     * @param renewMillis this project's renew interval
     * @param operationTimeoutMillis this project's operation timeout
     */
    public record Arguments(
            int redisPort,
            String election,
            String instanceId,
            long leaseMillis,
            long renewMillis,
            long operationTimeoutMillis) {

        static Arguments parse(String[] args) {
            if (args.length != 6) {
                throw new IllegalArgumentException("Usage: <redis port> <election> <instance id> <lease ms>"
                        + " <renew ms> <operation timeout ms>");
            }
            return new Arguments(
                    Integer.parseInt(args[0]),
                    args[1],
                    args[2],
                    Long.parseLong(args[3]),
                    Long.parseLong(args[4]),
                    Long.parseLong(args[5]));
        }
    }

    /**
     * Runs {@code application} with the common properties and {@code own}; prints {@link #READY} and
     * {@link #CLOSING}.
     */
    static void run(Class<?> application, Arguments arguments, Map<String, Object> own) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("server.port", "0");
        properties.put("spring.main.banner-mode", "off");
        properties.put("spring.data.redis.host", "127.0.0.1");
        properties.put("spring.data.redis.port", Integer.toString(arguments.redisPort()));
        properties.put("bench.election", arguments.election());
        properties.put("bench.instance-id", arguments.instanceId());
        properties.put("bench.lease-millis", Long.toString(arguments.leaseMillis()));
        // The benchmark module also carries other stores' clients; a DataSource would start unused.
        properties.put(
                "spring.autoconfigure.exclude",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
        properties.putAll(own);
        SpringApplication app = new SpringApplication(application);
        app.setDefaultProperties(properties);
        app.addListeners(event -> {
            if (event instanceof ApplicationReadyEvent) {
                print(READY);
            } else if (event instanceof ContextClosedEvent) {
                print(CLOSING);
            }
        });
        app.run();
    }

    /** Prints an event line for something that happens now. */
    public static void print(String kind, Object... details) {
        StringBuilder line = new StringBuilder("EVENT ")
                .append(System.nanoTime())
                .append(' ')
                .append(kind);
        for (Object detail : details) {
            line.append(' ').append(detail);
        }
        System.out.println(line);
    }
}
