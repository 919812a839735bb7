package dev.leaderelection.faults;

/**
 * The fault scenarios on the file store: three sample-app JVMs electing through OS file locks in one
 * directory of this machine ({@code FileStoreServer}). There is no server, so the rows of a frozen,
 * restarted or cut-off store say n/a; what the file store is tested for is its holders: the leader
 * SIGKILLed (the OS drops its lock at once), the leader frozen (it keeps its lock: nobody leads until
 * it thaws, then exactly one leader), and yield and graceful stop under load.
 *
 * <p>Which rows run: the system property {@value FaultRowSelection#FILE_ROWS}, set by the
 * fault-tolerance pom. The default build runs one short row, {@code leaderFrozenForHalfALease}; the
 * {@code chaos} profile (or {@code -Dfaults.file.rows=all}) runs them all. Rows left out are not in
 * the test plan at all ({@link FaultRowSelection}), so they show neither as run nor as skipped.
 */
class FileFaultToleranceIT extends StoreFaultScenarios {

    FileFaultToleranceIT() {
        super("file");
    }
}
