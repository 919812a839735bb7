package dev.leaderelection.store;

import java.time.Instant;

/**
 * An instance that campaigns in an election, as the store last saw it.
 *
 * @param instanceId the candidate's instance id
 * @param lastSeen when its last acquire or renew reached the store, on the store's clock where the
 *     store has one, else on the caller's wall clock
 */
public record Candidate(String instanceId, Instant lastSeen) {}
