/**
 * Fail-closed leader election over a shared lease store.
 *
 * <p><b>The guarantee.</b> An instance counts itself leader only while its local deadline lies in
 * the future: the monotonic time at which its last successful acquire or renew was <em>sent</em>,
 * plus the lease duration, minus a drift margin. Because the store starts the lease no earlier than
 * it receives the call, the local deadline ends before the store's lease does, as long as the two
 * clocks run at rates that differ by less than the drift margin allows. Every check of
 * {@link dev.leaderelection.LeaderElector#isLeader()} reads that deadline, so a hung store, a stuck
 * thread or a paused process cannot stretch leadership past the lease.
 *
 * <p><b>Failing closed.</b> Any store answer that is not a clear success (an error, a timeout, a
 * lost lease) ends leadership at once. Every grant carries a fencing token that is larger than the
 * token of every earlier grant of the election.
 *
 * <p><b>The limits.</b> The engine cannot stop code that is already running when leadership ends:
 * guarded work should check again, or pass the fencing token to systems that can reject stale
 * writers. It assumes the store keeps its promises: a store that loses a lease (a restart without
 * persistence, a failover to a replica that missed the write) can let a second instance win while
 * the first still trusts its deadline.
 */
@NullMarked
package dev.leaderelection;

import org.jspecify.annotations.NullMarked;
