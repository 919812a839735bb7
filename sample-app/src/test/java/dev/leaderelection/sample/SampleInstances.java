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
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

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
        return start(instanceId, destination.port(), null, properties);
    }

    /** Starts instance {@code instanceId} against a destination on {@code port} of 127.0.0.1. */
    ConfigurableApplicationContext start(String instanceId, int port, String... properties) {
        return start(instanceId, port, null, properties);
    }

    /**
     * As {@link #start(String, TestDestination, String...)}, with the gateway bean made of {@code
     * gatewayClass}, a subclass of {@link TelnetGateway} that a test breaks on purpose.
     */
    ConfigurableApplicationContext start(
            String instanceId,
            TestDestination destination,
            Class<? extends TelnetGateway> gatewayClass,
            String... properties) {
        return start(instanceId, destination.port(), gatewayClass, properties);
    }

    private ConfigurableApplicationContext start(
            String instanceId, int port, @Nullable Class<? extends TelnetGateway> gatewayClass, String... properties) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(SampleApplication.class);
        if (gatewayClass != null) {
            builder.initializers(
                    context -> context.addBeanFactoryPostProcessor(replacing("telnetGateway", gatewayClass)));
        }
        ConfigurableApplicationContext context = builder.properties(Stream.concat(
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

    /**
     * Replaces the scanned bean {@code name} by one of {@code type}; runs after component scanning,
     * which registers the scanned definitions in the registry phase.
     */
    private static BeanDefinitionRegistryPostProcessor replacing(String name, Class<?> type) {
        return new BeanDefinitionRegistryPostProcessor() {
            @Override
            public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {}

            @Override
            public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
                BeanDefinitionRegistry registry = (BeanDefinitionRegistry) beanFactory;
                registry.removeBeanDefinition(name);
                registry.registerBeanDefinition(name, new RootBeanDefinition(type));
            }
        };
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
