package dev.leaderelection;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The electors of one application, one per election, by name: the default election's elector and
 * any further ones. All of them usually share one store and one {@link ElectionScheduler}.
 */
public final class LeaderElectors {

    private final LeaderElector defaultElector;
    private final Map<String, LeaderElector> byName;

    /**
     * @throws IllegalArgumentException if two electors take part in the same election
     */
    public LeaderElectors(LeaderElector defaultElector, Collection<? extends LeaderElector> others) {
        Map<String, LeaderElector> electors = new LinkedHashMap<>();
        electors.put(defaultElector.election(), defaultElector);
        for (LeaderElector elector : others) {
            if (electors.putIfAbsent(elector.election(), elector) != null) {
                throw new IllegalArgumentException(
                        "Two electors of election '" + elector.election() + "': one elector per election");
            }
        }
        this.defaultElector = defaultElector;
        this.byName = Collections.unmodifiableMap(electors);
    }

    /** The electors {@code defaultElector} and {@code others}. */
    public static LeaderElectors of(LeaderElector defaultElector, LeaderElector... others) {
        return new LeaderElectors(defaultElector, List.of(others));
    }

    /** The elector of the default election, the one {@code @LeaderOnly} guards with unless told otherwise. */
    public LeaderElector defaultElector() {
        return defaultElector;
    }

    /**
     * The elector of {@code election}.
     *
     * @throws UnknownElectionException naming the known elections, if there is none
     */
    public LeaderElector get(String election) {
        LeaderElector elector = byName.get(election);
        if (elector == null) {
            throw new UnknownElectionException(election, names());
        }
        return elector;
    }

    /** The elector of {@code election}, if this application takes part in it. */
    public Optional<LeaderElector> find(String election) {
        return Optional.ofNullable(byName.get(election));
    }

    /** Every elector, the default election's first, then the others in the order they were given. */
    public Collection<LeaderElector> all() {
        return byName.values();
    }

    /** The names of the elections, in the order of {@link #all()}. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** Whether there is more than the default election. */
    public boolean hasSeveral() {
        return byName.size() > 1;
    }

    @Override
    public String toString() {
        return "LeaderElectors" + names();
    }
}
