package dev.leaderelection.demo;

import dev.leaderelection.testing.store.StoreServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the demo runs: the sample app's jar, how many instances, where their logs go. The defaults
 * come from {@code demo.properties}, which the build fills in.
 *
 * @param appJar the sample app's executable jar
 * @param instances how many instances to start, at least 2
 * @param logDir where each instance writes {@code <name>.log}
 * @param store the store the instances elect through, as {@code leader.election.store} names it
 */
record DemoOptions(Path appJar, int instances, Path logDir, String store) {

    static final String USAGE = "Usage: Demo [--store=redis|jdbc|file|zookeeper (default redis; postgres = jdbc)]"
            + " [--instances=N (2..9, default 3)] [--app-jar=PATH] [--log-dir=PATH]";

    DemoOptions {
        if (instances < 2 || instances > 9) {
            throw new IllegalArgumentException("--instances must be between 2 and 9, not " + instances);
        }
    }

    /** The defaults on Redis. */
    DemoOptions(Path appJar, int instances, Path logDir) {
        this(appJar, instances, logDir, "redis");
    }

    /**
     * The defaults, overridden by {@code --name=value} arguments ({@code --store X} also accepted).
     *
     * @throws IllegalArgumentException for an unknown argument or store, or a store the demo cannot
     *     run in this build yet; the message says what is valid
     */
    static DemoOptions parse(String... args) {
        Properties defaults = defaults();
        Path appJar = Path.of(defaults.getProperty("app.jar"));
        Path logDir = Path.of(defaults.getProperty("log.dir"));
        int instances = 3;
        String store = "redis";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String[] pair = arg.split("=", 2);
            String value = pair.length == 2 ? pair[1] : "";
            switch (pair[0]) {
                case "--app-jar" -> appJar = Path.of(value);
                case "--log-dir" -> logDir = Path.of(value);
                case "--instances" -> instances = parseCount(value);
                case "--store" -> {
                    if (pair.length == 1) {
                        if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                            throw new IllegalArgumentException("--store needs a store name. " + USAGE);
                        }
                        value = args[++i];
                    }
                    store = parseStore(value);
                }
                default -> throw new IllegalArgumentException("Unknown argument '" + arg + "'. " + USAGE);
            }
        }
        return new DemoOptions(
                appJar.toAbsolutePath().normalize(),
                instances,
                logDir.toAbsolutePath().normalize(),
                store);
    }

    /**
     * The store {@code value} names, if the demo can run it: one whose server {@link StoreServers}
     * can start, and whose starter the sample app's jar carries.
     */
    private static String parseStore(String value) {
        String store;
        try {
            store = StoreServers.canonicalName(value);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("--store: " + ex.getMessage() + ". " + USAGE, ex);
        }
        if (!StoreServers.AVAILABLE.contains(store)) {
            throw new IllegalArgumentException("--store=" + value + ": the demo cannot run the " + store
                    + " store in this build yet (its starter or server launcher is missing); available: "
                    + String.join(", ", StoreServers.AVAILABLE));
        }
        return store;
    }

    private static int parseCount(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("--instances must be a number between 2 and 9, not '" + value + "'");
        }
    }

    private static Properties defaults() {
        Properties properties = new Properties();
        try (InputStream in = DemoOptions.class.getResourceAsStream("/demo.properties")) {
            if (in == null) {
                throw new IllegalStateException("demo.properties is missing from the class path");
            }
            properties.load(in);
            return properties;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read demo.properties", ex);
        }
    }
}
