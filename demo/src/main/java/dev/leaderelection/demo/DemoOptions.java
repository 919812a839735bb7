package dev.leaderelection.demo;

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
 */
record DemoOptions(Path appJar, int instances, Path logDir) {

    static final String USAGE = "Usage: Demo [--instances=N (2..9, default 3)] [--app-jar=PATH] [--log-dir=PATH]";

    DemoOptions {
        if (instances < 2 || instances > 9) {
            throw new IllegalArgumentException("--instances must be between 2 and 9, not " + instances);
        }
    }

    /** The defaults, overridden by {@code --name=value} arguments. */
    static DemoOptions parse(String... args) {
        Properties defaults = defaults();
        Path appJar = Path.of(defaults.getProperty("app.jar"));
        Path logDir = Path.of(defaults.getProperty("log.dir"));
        int instances = 3;
        for (String arg : args) {
            String[] pair = arg.split("=", 2);
            String value = pair.length == 2 ? pair[1] : "";
            switch (pair[0]) {
                case "--app-jar" -> appJar = Path.of(value);
                case "--log-dir" -> logDir = Path.of(value);
                case "--instances" -> instances = parseCount(value);
                default -> throw new IllegalArgumentException("Unknown argument '" + arg + "'. " + USAGE);
            }
        }
        return new DemoOptions(
                appJar.toAbsolutePath().normalize(),
                instances,
                logDir.toAbsolutePath().normalize());
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
