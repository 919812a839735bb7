package dev.leaderelection.autoconfigure;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.InvalidTimingsException;
import dev.leaderelection.RelinquishSchedule;
import dev.leaderelection.store.LeaseStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The settings of one election resolved from {@link LeaderElectionProperties}, checked together and
 * against the store: any problem is reported with the property names a user writes. A further
 * election ({@code leader.election.elections.<name>}) takes every value it leaves unset from the
 * top level, and a problem names the property the value came from.
 */
record ElectionSettings(String name, String instanceId, ElectionTimings timings, boolean releaseOnShutdown) {

    static final String PREFIX = "leader.election.";

    /** The default election's settings. */
    static ElectionSettings of(LeaderElectionProperties properties, Environment environment, LeaseStore store) {
        String name = defaultName(properties, environment);
        try {
            store.checkElectionName(name);
        } catch (IllegalArgumentException ex) {
            throw invalidKeyPart("name", name, ex.getMessage(), ex);
        }
        String instanceId =
                StringUtils.hasText(properties.getInstanceId()) ? properties.getInstanceId() : defaultInstanceId();
        return resolve(name, instanceId, properties, new LeaderElectionProperties.Election(), PREFIX, store);
    }

    /**
     * The settings of the further election {@code name}, with the default election's instance id.
     *
     * @throws InvalidLeaderElectionPropertiesException if the store cannot take the name or the
     *     timings do not work together
     */
    static ElectionSettings named(
            String name, String instanceId, LeaderElectionProperties properties, LeaseStore store) {
        try {
            store.checkElectionName(name);
        } catch (IllegalArgumentException ex) {
            throw invalidKeyPart("elections." + name, name, ex.getMessage(), ex);
        }
        LeaderElectionProperties.Election own = properties.getElections().get(name);
        return resolve(
                name,
                instanceId,
                properties,
                own != null ? own : new LeaderElectionProperties.Election(),
                PREFIX + "elections." + name + ".",
                store);
    }

    /**
     * Checks that no further election has the default election's name.
     *
     * @throws InvalidLeaderElectionPropertiesException naming both properties
     */
    static void checkFurtherElectionNames(LeaderElectionProperties properties, Environment environment) {
        String defaultName = defaultName(properties, environment);
        if (!properties.getElections().containsKey(defaultName)) {
            return;
        }
        String further = PREFIX + "elections." + defaultName;
        String source =
                StringUtils.hasText(properties.getName()) || !environment.containsProperty("spring.application.name")
                        ? PREFIX + "name"
                        : "spring.application.name";
        String origin = source.equals(PREFIX + "name") ? source : source + ", as " + PREFIX + "name is not set";
        throw new InvalidLeaderElectionPropertiesException(
                "%s is a further election named like the default election ('%s', from %s); every election needs its own name"
                        .formatted(further, defaultName, origin),
                List.of(further, source),
                null);
    }

    /**
     * Whether {@code election} releases its lease on shutdown: its own {@code release-on-shutdown}
     * if it is a further election that sets one, else {@code leader.election.release-on-shutdown}.
     */
    static boolean releaseOnShutdown(LeaderElectionProperties properties, String election) {
        LeaderElectionProperties.Election own = properties.getElections().get(election);
        Boolean release = own != null ? own.getReleaseOnShutdown() : null;
        return release != null ? release : properties.isReleaseOnShutdown();
    }

    /** {@code leader.election.name}, else {@code spring.application.name}, else {@code default}. */
    static String defaultName(LeaderElectionProperties properties, Environment environment) {
        String name = properties.getName();
        return StringUtils.hasText(name) ? name : environment.getProperty("spring.application.name", "default");
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

    private static ElectionSettings resolve(
            String name,
            String instanceId,
            LeaderElectionProperties top,
            LeaderElectionProperties.Election own,
            String ownPrefix,
            LeaseStore store) {
        Inheritance values = new Inheritance(ownPrefix);
        LeaderElectionProperties.Backoff backoff = top.getBackoff();
        LeaderElectionProperties.ElectionBackoff ownBackoff = own.getBackoff();
        boolean releaseOnShutdown =
                values.pick("releaseOnShutdown", own.getReleaseOnShutdown(), top.isReleaseOnShutdown());
        try {
            ElectionTimings timings = ElectionTimings.builder()
                    .leaseDuration(values.pick("leaseDuration", own.getLeaseDuration(), top.getLeaseDuration()))
                    .renewInterval(values.pick("renewInterval", own.getRenewInterval(), top.getRenewInterval()))
                    .operationTimeout(
                            values.pick("operationTimeout", own.getOperationTimeout(), top.getOperationTimeout()))
                    .driftMargin(values.pickOptional("driftMargin", own.getDriftMargin(), top.getDriftMargin()))
                    .retryInterval(values.pick("retryInterval", own.getRetryInterval(), top.getRetryInterval()))
                    .yieldCooldown(values.pickOptional("yieldCooldown", own.getYieldCooldown(), top.getYieldCooldown()))
                    .backoff(new BackoffPolicy(
                            values.pick("backoff.initial", ownBackoff.getInitial(), backoff.getInitial()),
                            values.pick("backoff.max", ownBackoff.getMax(), backoff.getMax()),
                            values.pick("backoff.multiplier", ownBackoff.getMultiplier(), backoff.getMultiplier()),
                            values.pick("backoff.jitter", ownBackoff.getJitter(), backoff.getJitter())))
                    .relinquish(relinquish(values, top.getRelinquish(), own.getRelinquish()))
                    .build();
            checkLeaseDuration(store, timings.leaseDuration(), values);
            return new ElectionSettings(name, instanceId, timings, releaseOnShutdown);
        } catch (InvalidTimingsException ex) {
            throw new InvalidLeaderElectionPropertiesException(
                    values.inPropertyNames(ex.getMessage(), ex.settings()),
                    ex.settings().stream().map(values::propertyName).toList(),
                    ex);
        }
    }

    private static void checkLeaseDuration(LeaseStore store, Duration leaseDuration, Inheritance values) {
        try {
            store.checkLeaseDuration(leaseDuration);
        } catch (IllegalArgumentException ex) {
            String property = values.propertyName("leaseDuration");
            throw new InvalidLeaderElectionPropertiesException(
                    "%s (%d ms) %s".formatted(property, leaseDuration.toMillis(), ex.getMessage()),
                    List.of(property),
                    null);
        }
    }

    /**
     * The relinquish schedule: the election's own if it sets an interval or a cron, else the
     * top-level one; a cron wins over an interval; the zone is the election's own, else the
     * top-level one, else the system's.
     */
    private static RelinquishSchedule relinquish(
            Inheritance values, LeaderElectionProperties.Relinquish top, LeaderElectionProperties.Relinquish own) {
        boolean ownSchedule = own.getCron() != null || own.getInterval() != null;
        String cron = ownSchedule ? values.pickOptional("relinquish.cron", own.getCron(), null) : top.getCron();
        if (cron != null) {
            ZoneId zone = values.pickOptional("relinquish.zone", own.getZone(), top.getZone());
            try {
                return CronRelinquishSchedule.parse(cron, zone != null ? zone : ZoneId.systemDefault());
            } catch (IllegalArgumentException ex) {
                String property = values.propertyName("relinquish.cron");
                throw new InvalidLeaderElectionPropertiesException(
                        "%s ('%s') is not a valid cron expression (%s); write six fields: second, minute, hour, day of month, month, day of week, such as '0 0 * * * *'"
                                .formatted(property, cron, ex.getMessage()),
                        List.of(property),
                        ex);
            }
        }
        Duration interval =
                ownSchedule ? values.pickOptional("relinquish.interval", own.getInterval(), null) : top.getInterval();
        return interval != null ? RelinquishSchedule.every(interval) : RelinquishSchedule.NEVER;
    }

    /** {@code leaseDuration} to {@code leader.election.lease-duration}. */
    static String propertyName(String setting) {
        return PREFIX + kebabCase(setting);
    }

    private static String kebabCase(String setting) {
        return setting.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /**
     * Picks each value of an election, its own if set and else the top-level one, and remembers
     * which it took, so that a problem names the property the user wrote.
     */
    private static final class Inheritance {

        private final String ownPrefix;
        private final Set<String> own = new HashSet<>();

        Inheritance(String ownPrefix) {
            this.ownPrefix = ownPrefix;
        }

        <T> T pick(String setting, @Nullable T ownValue, T inherited) {
            T value = pickOptional(setting, ownValue, inherited);
            return value != null ? value : inherited;
        }

        <T> @Nullable T pickOptional(String setting, @Nullable T ownValue, @Nullable T inherited) {
            if (ownValue != null) {
                own.add(setting);
                return ownValue;
            }
            return inherited;
        }

        String propertyName(String setting) {
            return own.contains(setting) ? ownPrefix + kebabCase(setting) : ElectionSettings.propertyName(setting);
        }

        String inPropertyNames(String message, List<String> settings) {
            String result = message;
            for (String setting : settings.stream()
                    .sorted(Comparator.comparing(String::length).reversed())
                    .toList()) {
                result = result.replaceAll(
                        "(?<![\\w.-])" + Pattern.quote(setting) + "(?![\\w-])",
                        Matcher.quoteReplacement(propertyName(setting)));
            }
            return result;
        }
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
