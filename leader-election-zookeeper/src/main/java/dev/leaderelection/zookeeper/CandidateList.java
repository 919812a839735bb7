package dev.leaderelection.zookeeper;

import static dev.leaderelection.zookeeper.Background.code;
import static dev.leaderelection.zookeeper.Background.failure;

import dev.leaderelection.store.Candidate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.KeeperException.Code;

/**
 * Reads an election's candidates: the instances whose candidate node was written within two of
 * their leases (each acquire writes the caller's node, which goes with its session), and the holder
 * as of its last renewal.
 */
final class CandidateList {

    private CandidateList() {}

    static CompletableFuture<List<Candidate>> read(Nodes nodes, ElectionPaths at) {
        CompletableFuture<Optional<Candidate>> holder = nodes.read(at.lease()).thenApply(event -> {
            LeaseNode lease = code(event) == Code.OK ? LeaseNode.parse(event.getData()) : null;
            return lease == null
                    ? Optional.empty()
                    : Optional.of(new Candidate(
                            lease.instanceId(),
                            Instant.ofEpochMilli(event.getStat().getMtime())));
        });
        CompletableFuture<List<Candidate>> campaigning =
                nodes.serverClock(at).thenCompose(now -> listed(nodes, at, now));
        return holder.thenCombine(campaigning, (leader, listed) -> {
            Map<String, Candidate> byId = new HashMap<>();
            listed.forEach(candidate -> byId.put(candidate.instanceId(), candidate));
            leader.ifPresent(lead ->
                    byId.merge(lead.instanceId(), lead, (a, b) -> a.lastSeen().isAfter(b.lastSeen()) ? a : b));
            return List.copyOf(byId.values());
        });
    }

    /** The candidate nodes written within two of their leases before the server's {@code now}. */
    private static CompletableFuture<List<Candidate>> listed(Nodes nodes, ElectionPaths at, long now) {
        return nodes.children(at.candidates()).thenCompose(children -> {
            if (code(children) == Code.NONODE) {
                return CompletableFuture.completedFuture(List.<Candidate>of());
            }
            if (code(children) != Code.OK) {
                throw failure(children);
            }
            List<CompletableFuture<Optional<Candidate>>> reads = new ArrayList<>();
            for (String child : children.getChildren()) {
                reads.add(nodes.read(at.candidates() + "/" + child).thenApply(event -> {
                    if (code(event) != Code.OK) {
                        return Optional.empty();
                    }
                    long mtime = event.getStat().getMtime();
                    long ttl = Nodes.parseLong(event.getData());
                    return mtime + 2 * ttl >= now
                            ? Optional.of(new Candidate(
                                    ElectionPaths.instanceIdOfCandidate(child), Instant.ofEpochMilli(mtime)))
                            : Optional.empty();
                }));
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                    .thenApply(done -> reads.stream()
                            .map(CompletableFuture::join)
                            .flatMap(Optional::stream)
                            .toList());
        });
    }
}
