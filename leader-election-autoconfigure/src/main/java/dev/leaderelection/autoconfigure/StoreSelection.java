package dev.leaderelection.autoconfigure;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks at startup that {@code leader.election.store} picks exactly one store that is on the
 * classpath, so that a typo or a missing starter stops the application instead of leaving it
 * without an election.
 */
final class StoreSelection {

    private final @Nullable String store;

    /**
     * @param setting the value of {@code leader.election.store}, or {@code null} when unset
     * @param present the store modules on the classpath
     * @throws InvalidLeaderElectionPropertiesException naming the property and what would be valid
     */
    StoreSelection(@Nullable String setting, List<String> present) {
        this.store = setting == null ? single(present) : checked(setting, present);
    }

    /** The store to elect through, or {@code null} when no store module is on the classpath. */
    @Nullable
    String store() {
        return store;
    }

    private static @Nullable String single(List<String> present) {
        if (present.size() > 1) {
            throw invalid("several store modules are on the classpath (" + String.join(", ", present) + "); set "
                    + StoreModules.PROPERTY + " to the one to elect through");
        }
        return present.isEmpty() ? null : present.get(0);
    }

    private static String checked(String setting, List<String> present) {
        String store = StoreModules.named(setting);
        if (store == null) {
            throw invalid(StoreModules.PROPERTY + " is '" + setting + "', but must be one of "
                    + String.join(", ", StoreModules.names()));
        }
        if (!present.contains(store)) {
            throw invalid(StoreModules.PROPERTY + " is '" + setting + "', but the " + store
                    + " store is not on the classpath: add the dependency " + StoreModules.starter(store)
                    + (present.isEmpty() ? "" : ", or pick one of " + String.join(", ", present)));
        }
        return store;
    }

    private static InvalidLeaderElectionPropertiesException invalid(String message) {
        return new InvalidLeaderElectionPropertiesException(message, List.of(StoreModules.PROPERTY), null);
    }
}
