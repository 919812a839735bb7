package dev.leaderelection.benchmarks.peers;

import java.util.Map;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Leader election as users write it with Redisson: a thread that blocks in {@link
 * RLock#lockInterruptibly()}, leads while it holds the lock (the lock watchdog renews it), and
 * unlocks when the application stops; a {@link SmartLifecycle} in the default phase runs it. Every
 * Redisson setting at its default except {@code lockWatchdogTimeout}, set to the lease. The lock's
 * key is the election's name.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class RedissonBootApp {

    public static void main(String[] args) {
        BootApps.run(RedissonBootApp.class, BootApps.Arguments.parse(args), Map.of("leader.election.enabled", "false"));
    }

    @Bean(destroyMethod = "shutdown")
    RedissonClient redisson(Environment environment) {
        Config config = new Config();
        config.useSingleServer()
                .setAddress("redis://127.0.0.1:" + environment.getRequiredProperty("spring.data.redis.port"));
        config.setLockWatchdogTimeout(environment.getRequiredProperty("bench.lease-millis", Long.class));
        return Redisson.create(config);
    }

    @Bean
    LeaderLoop leaderLoop(RedissonClient redisson, Environment environment) {
        return new LeaderLoop(redisson.getLock(environment.getRequiredProperty("bench.election")));
    }

    /** Takes the lock, leads until stopped, unlocks; waits for the lock again if it never got it. */
    static class LeaderLoop implements SmartLifecycle {

        private final RLock lock;
        private volatile boolean running;
        private volatile Thread thread = new Thread(() -> {});

        LeaderLoop(RLock lock) {
            this.lock = lock;
        }

        @Override
        public void start() {
            running = true;
            thread = new Thread(this::lead, "leader-loop");
            thread.start();
        }

        private void lead() {
            while (running) {
                try {
                    lock.lockInterruptibly();
                } catch (InterruptedException ex) {
                    return; // stopping
                }
                try {
                    BootApps.print(BootApps.GRANTED);
                    while (running) {
                        Thread.sleep(Long.MAX_VALUE); // the leader's work would run here
                    }
                } catch (InterruptedException ex) {
                    // stopping
                } finally {
                    BootApps.print(BootApps.REVOKED);
                    lock.unlock();
                }
            }
        }

        @Override
        public void stop() {
            running = false;
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
