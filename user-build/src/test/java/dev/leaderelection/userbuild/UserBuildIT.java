package dev.leaderelection.userbuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.testing.process.AppProcess;
import dev.leaderelection.testing.process.LeaderStatus;
import dev.leaderelection.testing.redis.RedisServer;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's very first step, as the README shows it: a separate Maven project whose only dependency
 * of ours is the {@code <dependency>} that follows "Add the starter" in README.md, verbatim, built
 * with this project's Maven wrapper against the project's artifacts installed (from this reactor,
 * with their real packaging) into a temporary local repository, then run as {@code java -jar}
 * against a real Redis until it becomes leader, and stopped with SIGTERM.
 *
 * <p>Another scenario is one more {@link UserProject} (its properties and classes) and the elections
 * it must be granted, passed to {@link #runToGrants}.
 */
class UserBuildIT {

    private static final String GROUP_ID = "dev.leaderelection";
    private static final String PROPERTY_PREFIX = "leader.election.it.";
    /** Start-up, plus the restart guard's hold of one lease, on a busy machine. */
    private static final Duration GRANT_TIMEOUT = Duration.ofSeconds(90);

    private static final Pattern GRANTED = Pattern.compile("^GRANTED election=(\\S+) token=\\d+$", Pattern.MULTILINE);
    private static final Pattern REVOKED =
            Pattern.compile("^REVOKED election=(\\S+) reason=SHUTDOWN$", Pattern.MULTILINE);

    /** The plainest Spring Boot application. */
    private static final String APPLICATION = """
            package com.example;

            import org.springframework.boot.SpringApplication;
            import org.springframework.boot.autoconfigure.SpringBootApplication;

            @SpringBootApplication
            public class UserApplication {

                public static void main(String[] args) {
                    SpringApplication.run(UserApplication.class, args);
                }
            }
            """;

    /**
     * Prints every grant and revocation of every election, in the lines {@link #GRANTED} and {@link
     * #REVOKED} match: the way the test sees the user's application become leader.
     */
    private static final String LEADERSHIP_PRINTER = """
            package com.example;

            import dev.leaderelection.event.LeadershipGrantedEvent;
            import dev.leaderelection.event.LeadershipRevokedEvent;
            import org.springframework.context.event.EventListener;
            import org.springframework.stereotype.Component;

            @Component
            public class LeadershipPrinter {

                @EventListener
                void granted(LeadershipGrantedEvent event) {
                    System.out.println("GRANTED election=" + event.election() + " token=" + event.fencingToken());
                }

                @EventListener
                void revoked(LeadershipRevokedEvent event) {
                    System.out.println("REVOKED election=" + event.election() + " reason=" + event.reason());
                }
            }
            """;

    /** A job guarded by the further election, as the README's "Several elections" shows it. */
    private static final String REPORTS_JOB = """
            package com.example;

            import dev.leaderelection.annotation.LeaderOnly;
            import org.springframework.context.annotation.Configuration;
            import org.springframework.scheduling.annotation.EnableScheduling;
            import org.springframework.scheduling.annotation.Scheduled;

            @Configuration
            @EnableScheduling
            public class ReportsJob {

                @Scheduled(fixedDelay = 500)
                @LeaderOnly(election = "reports")
                public void export() {
                    System.out.println("EXPORTED reports");
                }
            }
            """;

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static Path work = Path.of("target");
    private static Maven maven;
    private static ReadmeDependency dependency;
    private static String springBootVersion = "";

    /** Installs the starter and what it needs, as this reactor builds them, into a temporary repository. */
    @BeforeAll
    static void installTheProjectIntoATemporaryRepository() {
        Path root = Path.of(property("reactor-root")).toAbsolutePath().normalize();
        dependency = ReadmeDependency.read(root.resolve("README.md"));
        assertThat(dependency.groupId())
                .as("groupId of the README's starter dependency")
                .isEqualTo(GROUP_ID);
        assertThat(dependency.version())
                .as("version of the README's starter dependency, which this build must make")
                .isEqualTo(property("version"));
        springBootVersion = property("spring-boot-version");
        work = Path.of(property("work")).toAbsolutePath().normalize();
        Maven.deleteRecursively(work);
        maven = new Maven(
                root, Path.of(property("local-repository")), GROUP_ID, Boolean.parseBoolean(property("offline")), work);
        // the reactor's own lifecycle, so each artifact is installed with its real packaging
        maven.run(
                "install",
                root,
                List.of(
                        "-f",
                        root.resolve("pom.xml").toString(),
                        "-pl",
                        ":" + dependency.artifactId(),
                        "-am",
                        "install",
                        "-Dmaven.test.skip=true",
                        "-Dspotless.check.skip=true"));
    }

    @Test
    void theReadmeDependencyBuildsAnApplicationThatBecomesLeader(RedisServer server) {
        UserProject project = new UserProject(
                "one-election",
                // no web server in this application: keep-alive keeps its JVM up until SIGTERM; a
                // 3 s lease, so that the restart guard's hold on the fresh Redis is not 10 s
                Map.of(
                        "spring.application.name", "user-app",
                        "spring.main.keep-alive", "true",
                        "leader.election.lease-duration", "3s",
                        "leader.election.renew-interval", "1s"),
                List.of(APPLICATION, LEADERSHIP_PRINTER));
        runToGrants(project, server, Set.of("user-app"));
    }

    @Test
    void aTwoElectionApplicationBecomesLeaderOfBoth(RedisServer server) {
        UserProject project = new UserProject(
                "two-elections",
                Map.of(
                        "spring.application.name", "user-app",
                        "spring.main.keep-alive", "true",
                        "leader.election.lease-duration", "3s",
                        "leader.election.renew-interval", "1s",
                        "leader.election.elections.reports.lease-duration", "4s"),
                List.of(APPLICATION, LEADERSHIP_PRINTER, REPORTS_JOB));
        // the job guarded by "reports" runs once this instance leads that election
        runToGrants(project, server, Set.of("user-app", "reports"), "EXPORTED reports");
    }

    /**
     * Writes {@code project}, packages it with {@code mvn package} as a user would, runs its jar
     * against {@code server} until every one of {@code elections} is granted, then stops it with
     * SIGTERM and checks that it let go of each and exited, leaving no process behind. Before the
     * stop, the output must also hold each of {@code awaitedLines}.
     */
    private static void runToGrants(
            UserProject project, RedisServer server, Set<String> elections, String... awaitedLines) {
        Path directory = work.resolve(project.name());
        project.writeTo(directory, dependency, springBootVersion);
        maven.run(project.name() + "-package", directory, List.of("package"));
        Path jar = project.jar(directory);
        assertThat(jar).as("executable jar of " + project.name()).isRegularFile();
        assertThat(libraries(jar))
                .as("what the starter brings into " + jar)
                .contains(
                        artifact(dependency.artifactId()),
                        artifact("leader-election-autoconfigure"),
                        artifact("leader-election-redis"),
                        artifact("leader-election-core"));

        Set<Long> childrenBefore = children();
        Path log = work.resolve("logs").resolve(project.name() + ".log");
        AppProcess app = AppProcess.launch(
                project.name(),
                jar,
                log,
                List.of("--spring.data.redis.host=" + server.host(), "--spring.data.redis.port=" + server.port()));
        try {
            awaitGrants(project, app, log, elections, List.of(awaitedLines));
        } finally {
            app.stop();
        }
        assertThat(app.status())
                .as(project.name() + " exited on SIGTERM, see " + log)
                .isEqualTo(LeaderStatus.STOPPED);
        assertThat(matches(REVOKED, read(log)))
                .as("elections released on SIGTERM, see " + log)
                .isEqualTo(elections);
        assertThat(children()).as("processes left behind").isSubsetOf(childrenBefore);
    }

    private static void awaitGrants(
            UserProject project, AppProcess app, Path log, Set<String> elections, List<String> awaitedLines) {
        try {
            await("grants of " + elections + " and the lines " + awaitedLines)
                    .atMost(GRANT_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        String output = read(log);
                        if (!ProcessHandle.of(app.pid())
                                .map(ProcessHandle::isAlive)
                                .orElse(false)) {
                            throw new AssertionError(
                                    project.name() + " exited before it became leader:\n" + end(output));
                        }
                        return matches(GRANTED, output).containsAll(elections)
                                && awaitedLines.stream().allMatch(output::contains);
                    });
        } catch (ConditionTimeoutException ex) {
            throw new AssertionError(
                    project.name() + " was not granted " + elections + " within " + GRANT_TIMEOUT + ":\n"
                            + end(read(log)),
                    ex);
        }
    }

    private static Set<String> matches(Pattern pattern, String output) {
        Set<String> elections = new HashSet<>();
        Matcher matcher = pattern.matcher(output);
        while (matcher.find()) {
            elections.add(matcher.group(1));
        }
        return elections;
    }

    private static String artifact(String artifactId) {
        return "BOOT-INF/lib/" + artifactId + "-" + dependency.version() + ".jar";
    }

    private static Set<String> libraries(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Set<String> names = new HashSet<>();
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                names.add(entries.nextElement().getName());
            }
            return names;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + jar, ex);
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + log, ex);
        }
    }

    private static String end(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static Set<Long> children() {
        return ProcessHandle.current()
                .children()
                .filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private static String property(String name) {
        String value = System.getProperty(PROPERTY_PREFIX + name);
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException("System property " + PROPERTY_PREFIX + name
                    + " is not set: run this test through Maven (./mvnw verify -pl user-build -am), whose"
                    + " failsafe configuration in user-build/pom.xml sets it");
        }
        return value;
    }
}
