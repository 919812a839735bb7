package dev.leaderelection.store;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Who holds a lease, as seen by the store at the time of a call.
 *
 * @param instanceId the holder's readable instance id
 * @param remaining how long the lease has left, or {@code null} when the store cannot tell (for
 *     example a key written by hand without expiry)
 */
public record LeaseHolder(String instanceId, @Nullable Duration remaining) {}
