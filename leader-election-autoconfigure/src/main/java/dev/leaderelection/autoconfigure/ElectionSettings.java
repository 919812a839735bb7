package dev.leaderelection.autoconfigure;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.InvalidTimingsException;
import dev.leaderelection.store.LeaseStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The election's settings resolved from {@link LeaderElectionProperties}, checked together and
 * against the store: any problem is reported with the property names a user writes.
 */
record ElectionSettings(String name, String instanceId, ElectionTimings timings) {

    static final String PREFIX = "leader.election.";

    static ElectionSettings of(LeaderElectionProperties properties, Environment environment, LeaseStore store) {
        String name = StringUtils.hasText(properties.getName())
                ? properties.getName()
                : environment.getProperty("spring.application.name", "default");
        try {
            store.checkElectionName(name);
        } catch (IllegalArgumentException ex) {
            throw invalidKeyPart("name", name, ex.getMessage(), ex);
        }
        String instanceId =
                StringUtils.hasText(properties.getInstanceId()) ? properties.getInstanceId() : defaultInstanceId();
        return new ElectionSettings(name, instanceId, timings(properties));
    }

    /**
     * The failure of a property that becomes part of the store's keys, such as the election name;
     * {@code rule} says what the store accepts, worded to follow the value ("must ...").
     */
    static InvalidLeaderElectionPropertiesException invalidKeyPart(
            String property, String value, String rule, @Nullable Throwable cause) {
        return new InvalidLeaderElectionPropertiesException(
                "%s%s ('%s') %s, so that it fits the store's key layout".formatted(PREFIX, property, value, rule),
                List.of(PREFIX + property),
                cause);
    }

    private static ElectionTimings timings(LeaderElectionProperties properties) {
        LeaderElectionProperties.Backoff backoff = properties.getBackoff();
        try {
            return ElectionTimings.builder()
                    .leaseDuration(properties.getLeaseDuration())
                    .renewInterval(properties.getRenewInterval())
                    .operationTimeout(properties.getOperationTimeout())
                    .driftMargin(properties.getDriftMargin())
                    .retryInterval(properties.getRetryInterval())
                    .yieldCooldown(properties.getYieldCooldown())
                    .backoff(new BackoffPolicy(
                            backoff.getInitial(), backoff.getMax(), backoff.getMultiplier(), backoff.getJitter()))
                    .build();
        } catch (InvalidTimingsException ex) {
            throw new InvalidLeaderElectionPropertiesException(
                    inPropertyNames(ex.getMessage(), ex.settings()),
                    ex.settings().stream().map(ElectionSettings::propertyName).toList(),
                    ex);
        }
    }

    /** {@code leaseDuration} to {@code leader.election.lease-duration}. */
    static String propertyName(String setting) {
        return PREFIX + setting.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
    }

    private static String inPropertyNames(String message, List<String> settings) {
        String result = message;
        for (String setting : settings.stream()
                .sorted(Comparator.comparing(String::length).reversed())
                .toList()) {
            result = result.replaceAll("(?<![\\w.-])" + Pattern.quote(setting) + "(?![\\w-])", propertyName(setting));
        }
        return result;
    }

    private static String defaultInstanceId() {
        byte[] suffix = new byte[2];
        ThreadLocalRandom.current().nextBytes(suffix);
        return hostName() + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(suffix);
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (StringUtils.hasText(fromEnvironment)) {
            return fromEnvironment;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException ex) {
            return "localhost";
        }
    }
}
