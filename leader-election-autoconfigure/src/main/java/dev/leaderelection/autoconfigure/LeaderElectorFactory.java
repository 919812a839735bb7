package dev.leaderelection.autoconfigure;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;

/**
 * Creates the electors of this application on its lease store. A store's auto-configuration
 * contributes one that creates its own kind of elector (on Redis a {@code RedisLeaderElector});
 * without one, electors are plain {@link LeaseLeaderElector}s on the context's single {@code
 * LeaseStore}. The engine is the same either way.
 */
@FunctionalInterface
public interface LeaderElectorFactory {

    /**
     * An elector of {@code election}, not yet started.
     *
     * @throws IllegalArgumentException if the store cannot take the election's name
     */
    LeaseLeaderElector create(String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler);
}
