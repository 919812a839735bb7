package dev.leaderelection.benchmarks;

import dev.leaderelection.testing.process.LogDirectories;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts a {@code main} class of this module in a JVM of its own, with this JVM's {@code java}
 * and classpath. Its standard error goes to a log file; children still running when this JVM
 * exits are killed.
 */
final class JavaProcess {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "benchmark-child-reaper"));
    }

    private JavaProcess() {}

    /** Starts {@code mainClass} with {@code args}; {@code name} names its log file. */
    static Process start(String name, Class<?> mainClass, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(Redirect.appendTo(logFile(name)));
        try {
            Process process = builder.start();
            LIVE.add(process);
            process.onExit().thenRun(() -> LIVE.remove(process));
            return process;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot start " + mainClass.getName(), ex);
        }
    }

    private static File logFile(String name) {
        return LogDirectories.create("benchmark-logs").resolve(name + ".log").toFile();
    }
}
