package dev.leaderelection.redis;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;

/** A {@link LeaseLeaderElector} that campaigns in a {@link RedisLeaseStore}. */
public class RedisLeaderElector extends LeaseLeaderElector {

    public RedisLeaderElector(
            String election,
            String instanceId,
            RedisLeaseStore store,
            ElectionTimings timings,
            ElectionScheduler scheduler) {
        super(election, instanceId, store, timings, scheduler);
    }
}
