package dev.leaderelection.benchmarks;

import dev.leaderelection.redis.RedisKeys;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A what-if for the scale benchmark, not the shipped store: the shipped {@link RedisLeaseStore} in
 * every way, except that renewals run the same {@code renew.lua} from its text, read once. The
 * shipped store builds its scripts on a classpath resource, which Spring Data Redis checks for
 * changes on every call.
 */
final class PreloadedRenewStore implements LeaseStore {

    private static final RedisScript<Long> RENEW = RedisScript.of(read("renew.lua"), Long.class);

    private final RedisLeaseStore store;
    private final ReactiveStringRedisTemplate redis;
    private final Map<String, String> leaseKeys = new ConcurrentHashMap<>();

    PreloadedRenewStore(RedisLeaseStore store, ReactiveRedisConnectionFactory connectionFactory) {
        this.store = store;
        this.redis = new ReactiveStringRedisTemplate(connectionFactory);
    }

    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        String leaseKey = leaseKeys.computeIfAbsent(
                election, name -> RedisKeys.of(store.keyPrefix(), name).lease());
        return redis.execute(RENEW, List.of(leaseKey), List.of(token.encoded(), Long.toString(ttl.toMillis())))
                .single()
                .map(reply -> reply == 1L)
                .toFuture();
    }

    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        return store.acquire(election, token, ttl);
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        return store.release(election, token);
    }

    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        return store.inspect(election);
    }

    @Override
    public Subscription subscribeToReleases(String election, Runnable onRelease) {
        return store.subscribeToReleases(election, onRelease);
    }

    @Override
    public String kind() {
        return store.kind();
    }

    private static String read(String script) {
        try (InputStream in = RedisLeaseStore.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IllegalStateException("No " + script + " next to " + RedisLeaseStore.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
