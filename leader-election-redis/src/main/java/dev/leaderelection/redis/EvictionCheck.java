package dev.leaderelection.redis;

import dev.leaderelection.ErrorDescriptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Warns when Redis may evict the election's keys: an evicted lease lets another instance lead while
 * the holder still trusts its deadline. A Redis that refuses {@code CONFIG} (managed services,
 * renamed commands, ACLs) is not checked.
 */
final class EvictionCheck {

    private static final Logger log = LoggerFactory.getLogger(EvictionCheck.class);
    private static final String MAXMEMORY = "maxmemory";
    private static final String POLICY = "maxmemory-policy";

    private EvictionCheck() {}

    /** Reads the settings, waiting at most {@code timeout}, and logs what it finds; never fails. */
    static void run(ReactiveStringRedisTemplate redis, Scheduler scheduler, Duration timeout) {
        try {
            config(redis, MAXMEMORY)
                    .zipWith(config(redis, POLICY))
                    .doOnNext(settings -> warnIfEvicting(settings.getT1(), settings.getT2()))
                    .subscribeOn(scheduler)
                    .block(timeout);
        } catch (RuntimeException ex) {
            log.debug(
                    "Could not read maxmemory and maxmemory-policy from Redis ({}); skipping the eviction check",
                    ErrorDescriptions.describe(ex));
        }
    }

    private static Mono<Map<String, String>> config(ReactiveStringRedisTemplate redis, String name) {
        return redis.execute(connection -> connection.serverCommands().getConfig(name))
                .next()
                .map(properties -> byNode(properties, name));
    }

    /** On a cluster the keys read {@code host:port.name}: one value per node, keyed by that prefix. */
    private static Map<String, String> byNode(Properties properties, String name) {
        Map<String, String> values = new HashMap<>();
        properties.forEach((key, value) -> {
            String setting = key.toString();
            if (setting.equals(name) || setting.endsWith("." + name)) {
                values.put(setting.substring(0, setting.length() - name.length()), value.toString());
            }
        });
        return values;
    }

    private static void warnIfEvicting(Map<String, String> maxmemory, Map<String, String> policies) {
        maxmemory.forEach((node, bytes) -> {
            String policy = policies.getOrDefault(node, "unknown");
            if (isPositive(bytes) && !policy.equals("noeviction")) {
                log.warn(
                        "Redis{} may evict the election keys: maxmemory is {} and maxmemory-policy is {}. An evicted "
                                + "lease lets a second instance lead before the first steps down. Set maxmemory-policy "
                                + "to noeviction, or give leader election a Redis of its own without maxmemory.",
                        node.isEmpty() ? "" : " " + node.substring(0, node.length() - 1),
                        bytes,
                        policy);
            }
        });
    }

    private static boolean isPositive(String bytes) {
        try {
            return Long.parseLong(bytes.trim()) > 0;
        } catch (NumberFormatException ex) {
            return true; // a value we cannot read may be a limit
        }
    }
}
