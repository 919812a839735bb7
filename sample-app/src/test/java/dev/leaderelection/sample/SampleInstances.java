package dev.leaderelection.sample;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.testing.redis.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.SimpleApplicationEventMulticaster;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/** Gateway instances in this JVM, each with its own HTTP port, on one real Redis; closed newest first. */
final class SampleInstances implements AutoCloseable {

    private final RedisServer redis;
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    SampleInstances(RedisServer redis) {
        this.redis = redis;
    }

    /** Starts instance {@code instanceId} against {@code destination}, with extra {@code properties}. */
    ConfigurableApplicationContext start(String instanceId, TestDestination destination, String... properties) {
        return start(instanceId, destination.port(), List.of(), properties);
    }

    /** Starts instance {@code instanceId} against a destination on {@code port} of 127.0.0.1. */
    ConfigurableApplicationContext start(String instanceId, int port, String... properties) {
        return start(instanceId, port, List.of(), properties);
    }

    /**
     * As {@link #start(String, TestDestination, String...)}, with {@code listeners} added to the
     * application. With listeners, the application defines Spring's own event multicaster, as an
     * application with a multicaster of its own does: a listener that throws then keeps the later
     * listeners from hearing the event (the starter's multicaster would deliver it to each).
     */
    ConfigurableApplicationContext start(
            String instanceId,
            TestDestination destination,
            List<ApplicationListener<?>> listeners,
            String... properties) {
        return start(instanceId, destination.port(), listeners, properties);
    }

    private ConfigurableApplicationContext start(
            String instanceId, int port, List<ApplicationListener<?>> listeners, String... properties) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(SampleApplication.class);
        if (!listeners.isEmpty()) {
            builder.initializers(SampleInstances::withSpringsOwnMulticaster);
        }
        ConfigurableApplicationContext context = builder.listeners(listeners.toArray(ApplicationListener<?>[]::new))
                .properties(Stream.concat(
                                Stream.of(
                                        "server.port=0",
                                        "spring.data.redis.host=" + redis.host(),
                                        "spring.data.redis.port=" + redis.port(),
                                        "telnet.port=" + port,
                                        "telnet.reconnect.initial=50ms",
                                        "telnet.reconnect.max=500ms",
                                        "leader.election.instance-id=" + instanceId),
                                Stream.of(properties))
                        .toArray(String[]::new))
                .run();
        contexts.add(context);
        return context;
    }

    private static void withSpringsOwnMulticaster(ConfigurableApplicationContext context) {
        ((GenericApplicationContext) context)
                .registerBean(
                        AbstractApplicationContext.APPLICATION_EVENT_MULTICASTER_BEAN_NAME,
                        SimpleApplicationEventMulticaster.class,
                        () -> new SimpleApplicationEventMulticaster(context.getBeanFactory()));
    }

    /** Every instance started so far, closed or not. */
    List<ConfigurableApplicationContext> all() {
        return List.copyOf(contexts);
    }

    /** {@code POST /telnet/commands} on {@code instance}. */
    HttpResponse<String> postCommand(ConfigurableApplicationContext instance, String json)
            throws IOException, InterruptedException {
        String port = instance.getEnvironment().getRequiredProperty("local.server.port");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/telnet/commands"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static LeaderElector elector(ConfigurableApplicationContext context) {
        return context.getBean(LeaderElector.class);
    }

    static TelnetGateway gateway(ConfigurableApplicationContext context) {
        return context.getBean(TelnetGateway.class);
    }

    /** Closes the newest first, so that no follower takes over and connects while a test ends. */
    @Override
    public void close() {
        for (int i = contexts.size() - 1; i >= 0; i--) {
            contexts.get(i).close();
        }
    }
}
