package dev.leaderelection.demo;

import java.io.PrintStream;

/**
 * Runs the demo: {@code ./demo.sh} from the repository root. Exits with 0 when every step went as
 * expected, 1 when one did not, 2 for bad arguments. Ctrl-C stops everything the demo started.
 */
public final class Demo {

    private Demo() {}

    public static void main(String[] args) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options, System.out) ? 0 : 1);
    }

    /** Runs every step and cleans up; whether every expectation was met. */
    static boolean run(DemoOptions options, PrintStream out) {
        DemoScenario scenario = new DemoScenario(options, new Timeline(out));
        Thread cleanup = new Thread(scenario::interrupted, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            scenario.run();
            return true;
        } catch (DemoFailedException ex) {
            out.println();
            out.println("FAILED: " + ex.getMessage());
            out.println("Logs of the instances: " + options.logDir());
            return false;
        } finally {
            scenario.close();
            removeHook(cleanup);
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ex) {
            // the JVM is shutting down (Ctrl-C): the hook is running or has run
        }
    }
}
