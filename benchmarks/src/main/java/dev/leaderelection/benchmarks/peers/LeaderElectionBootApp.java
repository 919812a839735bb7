package dev.leaderelection.benchmarks.peers;

import dev.leaderelection.event.LeadershipGrantedEvent;
import dev.leaderelection.event.LeadershipRevokedEvent;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * This project: a Spring Boot application on the starter (Redis store, Spring Boot's Lettuce
 * connection, a web server), its grants heard as the application events users listen to.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class LeaderElectionBootApp {

    public static void main(String[] args) {
        BootApps.Arguments arguments = BootApps.Arguments.parse(args);
        BootApps.run(
                LeaderElectionBootApp.class,
                arguments,
                Map.of(
                        "leader.election.store",
                        "redis",
                        "leader.election.name",
                        arguments.election(),
                        "leader.election.instance-id",
                        arguments.instanceId(),
                        "leader.election.lease-duration",
                        arguments.leaseMillis() + "ms",
                        "leader.election.renew-interval",
                        arguments.renewMillis() + "ms",
                        "leader.election.operation-timeout",
                        arguments.operationTimeoutMillis() + "ms"));
    }

    @Bean
    Printer leadershipPrinter() {
        return new Printer();
    }

    /** Prints the transitions, on the election's thread, as they are published. */
    static class Printer {

        @EventListener
        void granted(LeadershipGrantedEvent event) {
            BootApps.print(BootApps.GRANTED, event.fencingToken());
        }

        @EventListener
        void revoked(LeadershipRevokedEvent event) {
            BootApps.print(BootApps.REVOKED, event.reason());
        }
    }
}
