package dev.leaderelection.testing.jdbc;

import dev.leaderelection.testing.postgres.PostgresBinaries;
import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import dev.leaderelection.testing.store.StoreServer;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * PostgreSQL as a {@link StoreServer} for the jdbc store: a {@link ProcessPostgresServer} with a data
 * directory of its own, so a {@link #restart()} comes back on the same data (with a new {@code
 * pg_postmaster_start_time()}, which the store's restart guard notices). {@link #postgres()} gives
 * the process for what only PostgreSQL has (SQL on the lease row).
 */
public final class JdbcStoreServer implements StoreServer {

    /** The store's default table ({@code leader.election.jdbc.table}). */
    public static final String TABLE = "leader_election_lease";

    private final ProcessPostgresServer postgres;

    /** A server on a free port; {@link #start()} runs initdb, then the server. */
    public JdbcStoreServer() {
        this(new ProcessPostgresServer());
    }

    /** Wraps {@code postgres}, which the caller may have started already. */
    public JdbcStoreServer(ProcessPostgresServer postgres) {
        this.postgres = postgres;
    }

    /** The {@code postgres} process behind this store server. */
    public ProcessPostgresServer postgres() {
        return postgres;
    }

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public String displayName() {
        return "PostgreSQL";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public boolean keepsDataOnRestart() {
        return true;
    }

    @Override
    public void start() {
        postgres.start();
    }

    @Override
    public void kill() {
        postgres.kill();
    }

    @Override
    public void freeze() {
        postgres.pause();
    }

    @Override
    public void resume() {
        postgres.resume();
    }

    /**
     * Deletes every election's lease row and candidate; the tables (created by the applications at
     * startup) and the fencing sequence stay, as after an operator's {@code DELETE}.
     */
    @Override
    public void wipe() {
        postgres.execute("DO $$ BEGIN"
                + " IF to_regclass('" + TABLE + "') IS NOT NULL THEN DELETE FROM " + TABLE + "; END IF;"
                + " IF to_regclass('" + TABLE + "_candidates') IS NOT NULL THEN DELETE FROM " + TABLE
                + "_candidates; END IF;"
                + " END $$");
    }

    @Override
    public boolean isRunning() {
        return postgres.isRunning();
    }

    @Override
    public OptionalInt port() {
        return OptionalInt.of(postgres.port());
    }

    @Override
    public Map<String, String> applicationProperties(int port) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.profiles.active", name());
        properties.put("leader.election.store", name());
        properties.put(
                "spring.datasource.url",
                "jdbc:postgresql://" + postgres.host() + ":" + port + "/" + ProcessPostgresServer.DATABASE);
        properties.put("spring.datasource.username", ProcessPostgresServer.USER);
        properties.put("spring.datasource.password", "");
        return properties;
    }

    @Override
    public String describe() {
        return "started on " + postgres.host() + ":" + postgres.port() + ", data directory kept across restarts ("
                + PostgresBinaries.binDirectory().resolve("postgres") + ")";
    }

    @Override
    public void close() {
        postgres.close();
    }

    @Override
    public String toString() {
        return postgres.toString();
    }
}
