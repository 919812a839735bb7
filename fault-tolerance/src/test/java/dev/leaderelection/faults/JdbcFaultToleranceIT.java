package dev.leaderelection.faults;

import dev.leaderelection.testing.jdbc.JdbcStoreServer;
import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The fault scenarios on PostgreSQL (the jdbc store): those of every store ({@link
 * StoreFaultScenarios}; a restarted PostgreSQL comes back on its data, with a new {@code
 * pg_postmaster_start_time()}) and those only it has: operators touching the lease row, and the row
 * locked by another session for longer than the lease (the statement timeout must end the leader's
 * renewals, and the leader its term).
 *
 * <p>Build time: the default build runs only row 3 "PostgreSQL frozen (SIGSTOP) for 0.5x lease"
 * ({@code storeFrozenForHalfALease}, selected in the fault-tolerance pom's failsafe includes); the
 * whole suite runs with {@code -Pchaos}, or alone with {@code -Dit.test=JdbcFaultToleranceIT}.
 */
class JdbcFaultToleranceIT extends StoreFaultScenarios {

    private static final String TABLE = JdbcStoreServer.TABLE;

    JdbcFaultToleranceIT() {
        super("jdbc");
    }

    @Test
    @Order(101)
    void operatorDeletesTheLeaseRow() {
        termEndedBy("6a. lease row deleted by an operator", () -> postgres().execute("DELETE FROM " + TABLE));
    }

    @Test
    @Order(102)
    void operatorOverwritesTheLeaseRow() {
        termEndedBy(
                "6b. lease row overwritten by an operator",
                () -> postgres()
                        .execute("UPDATE " + TABLE + " SET holder = '0123abcd:operator', holder_id = 'operator',"
                                + " expires_at = clock_timestamp() + interval '" + LEASE.toMillis()
                                + " milliseconds'"));
    }

    @Test
    @Order(103)
    void leaseRowLockedByAnotherSession() {
        termEndedBy("7a. lease row locked (FOR UPDATE) for 1.5x lease", () -> {
            try (Connection connection = postgres().connect()) {
                connection.setAutoCommit(false);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT * FROM " + TABLE + " FOR UPDATE");
                    FaultLab.pause(LEASE.multipliedBy(3).dividedBy(2));
                }
                connection.rollback();
            } catch (SQLException ex) {
                throw new IllegalStateException("Cannot lock the lease row", ex);
            }
        });
    }

    private ProcessPostgresServer postgres() {
        return ((JdbcStoreServer) store()).postgres();
    }
}
