package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.StoreCallOutcome;
import dev.leaderelection.StoreOperation;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.testing.proxy.TcpProxy;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@code stop()} while an acquire is in flight sends a release with the acquire's token; a
 * {@code start()} right after must campaign with a new token, so that the late release can never
 * free the next term. Against a real Redis behind a proxy that delays every byte.
 */
class RedisStopDuringAcquireTests {

    static final Duration LATENCY = Duration.ofMillis(150);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(Duration.ofSeconds(3))
            .renewInterval(Duration.ofMillis(500))
            .operationTimeout(Duration.ofSeconds(1))
            .build();

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final TcpProxy proxy = new TcpProxy(redis.server().port());
    private final LettuceConnectionFactory connectionFactory = connectedThrough(proxy);
    private final RedisLeaseStore store = new RedisLeaseStore(connectionFactory, "stop");
    private final ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, "stop-election-");
    private final LeaseLeaderElector elector = new RedisLeaderElector("orders", "node-a", store, TIMINGS, scheduler);

    private final AtomicInteger renewals = new AtomicInteger();

    {
        elector.addListener(new LeadershipListener() {
            @Override
            public void storeCallCompleted(StoreOperation operation, StoreCallOutcome outcome, Duration latency) {
                if (operation == StoreOperation.RENEW && outcome == StoreCallOutcome.SUCCESS) {
                    renewals.incrementAndGet();
                }
            }
        });
    }

    @AfterEach
    void closeEverything() {
        elector.stop();
        store.close();
        scheduler.close();
        connectionFactory.destroy();
        proxy.close();
    }

    private static LettuceConnectionFactory connectedThrough(TcpProxy proxy) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(redis.server().host(), proxy.port()));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    @Test
    void aStopDuringAnAcquireLeavesNoStaleReleaseForTheNextTerm() {
        await().atMost(Duration.ofSeconds(10)).until(() -> "PONG".equals(redis.command("PING")));
        proxy.latency(LATENCY); // each way: an acquire is in flight for 300 ms at least

        elector.start();
        elector.stop(); // the election thread runs this after the campaign: the acquire is in flight
        elector.start();

        await().atMost(Duration.ofSeconds(10)).until(elector::isLeader);
        String holder = redis.command("GET", "{stop:orders}:lease");
        // Three renewals later the term still holds: no release of the stopped campaign freed it.
        int renewed = renewals.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> renewals.get() >= renewed + 3);
        assertThat(elector.isLeader()).isTrue();
        assertThat(redis.command("GET", "{stop:orders}:lease"))
                .isEqualTo(holder)
                .endsWith(":node-a");
    }
}
