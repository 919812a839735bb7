package dev.leaderelection;

import java.time.Instant;

/**
 * One term of leadership held by this instance.
 *
 * @param election the election name
 * @param instanceId this instance's id
 * @param fencingToken larger than the token of every earlier term of the election; pass it to
 *     systems that can reject writes from a stale leader
 * @param grantedAt wall-clock time of the grant, for humans
 * @param deadlineNanos the local deadline on the elector's monotonic clock ({@link
 *     System#nanoTime()} for the default scheduler): leadership is valid strictly before it
 */
public record Leadership(String election, String instanceId, long fencingToken, Instant grantedAt, long deadlineNanos) {

    Leadership withDeadline(long newDeadlineNanos) {
        return new Leadership(election, instanceId, fencingToken, grantedAt, newDeadlineNanos);
    }
}
