/**
 * The Kubernetes lease store: one {@code coordination.k8s.io/v1} Lease per election, judged by its
 * observers as client-go's leader election judges it, on the fabric8 Kubernetes client.
 *
 * <p>What it promises: a client takes a Lease held by another only after it has seen the same
 * holder and renew time for a whole {@code leaseDurationSeconds} on its own monotonic clock, and
 * every write is an optimistic update on the Lease's {@code resourceVersion}. What it does not
 * promise: clocks are not compared across machines, but fencing tokens are floored at this client's
 * wall clock in microseconds, so a Lease deleted by hand does not send tokens back as long as the
 * clocks of the instances stay closer than the time between two grants.
 */
@NullMarked
package dev.leaderelection.kubernetes;

import org.jspecify.annotations.NullMarked;
