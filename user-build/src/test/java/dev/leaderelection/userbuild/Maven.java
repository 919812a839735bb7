package dev.leaderelection.userbuild;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * This project's Maven wrapper, run with a temporary local repository: what the project installs
 * goes there, and never into the developer's (or CI's) own. That own repository is the read-only
 * tail ({@code maven.repo.local.tail}, Maven 3.9) for everything else, so the main build's
 * downloads are reused, not copied; whatever is still missing is downloaded into the temporary one
 * (unless offline). The tail is a view of the own repository without this project's groupId, so
 * that artifacts installed there by an earlier build can never stand in for the ones under test.
 */
final class Maven {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final int REPORTED_LINES = 40;

    private final Path wrapper;
    private final Path repository;
    private final @Nullable Path tail;
    private final boolean offline;
    private final Path logs;

    /**
     * @param reactorRoot the directory of this project's root pom and Maven wrapper
     * @param ownRepository the local repository of the build that runs the test
     * @param ownGroupId this project's groupId, left out of the tail
     * @param work an empty directory for the temporary repository, the tail's view and the logs
     */
    Maven(Path reactorRoot, Path ownRepository, String ownGroupId, boolean offline, Path work) {
        boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
        this.wrapper = reactorRoot.resolve(windows ? "mvnw.cmd" : "mvnw");
        if (!Files.isRegularFile(wrapper) || !Files.isRegularFile(reactorRoot.resolve("pom.xml"))) {
            throw new IllegalStateException("No Maven wrapper and root pom in " + reactorRoot);
        }
        this.offline = offline;
        try {
            this.repository = Files.createDirectories(work.resolve("repository"));
            this.logs = Files.createDirectories(work.resolve("logs"));
            this.tail = Files.isDirectory(ownRepository)
                    ? viewWithout(ownRepository, ownGroupId, work.resolve("repository-tail"))
                    : null;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot prepare the local repositories in " + work, ex);
        }
    }

    /** The temporary local repository. */
    Path repository() {
        return repository;
    }

    /**
     * Runs the wrapper with {@code arguments} in {@code directory}, its output in {@code
     * <name>.log}; fails with the errors Maven reported, or the end of its output.
     */
    void run(String name, Path directory, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(wrapper.toString(), "-B", "-ntp", "-Dstyle.color=never"));
        if (offline) {
            command.add("-o");
        }
        command.add("-Dmaven.repo.local=" + repository);
        if (tail != null) {
            command.add("-Dmaven.repo.local.tail=" + tail);
        }
        command.addAll(arguments);
        Path log = logs.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // the JDK that runs the test builds too
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process;
        try {
            process = builder.start();
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot run " + command, ex);
        }
        int exit = await(process, name, log);
        if (exit != 0) {
            throw new AssertionError(
                    name + " failed (exit " + exit + "): " + String.join(" ", command) + "\n" + report(log));
        }
    }

    private static int await(Process process, String name, Path log) {
        try {
            if (process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            destroy(process);
            throw new AssertionError(name + " did not finish within " + TIMEOUT + "\n" + report(log));
        } catch (InterruptedException ex) {
            destroy(process);
            Thread.currentThread().interrupt();
            throw new AssertionError(name + " interrupted", ex);
        }
    }

    private static void destroy(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.onExit().join();
    }

    /** The lines Maven marked as errors, else the end of the output. */
    private static String report(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException ex) {
            return "(cannot read " + log + ": " + ex + ")";
        }
        List<String> errors =
                lines.stream().filter(line -> line.startsWith("[ERROR]")).toList();
        List<String> shown = errors.isEmpty() ? lines : errors;
        return String.join("\n", shown.subList(Math.max(0, shown.size() - REPORTED_LINES), shown.size()))
                + "\n(whole output: " + log + ")";
    }

    /**
     * A directory of symbolic links to everything in {@code repository} except the directory of
     * {@code groupId}: each directory on the way to it is a real one with links to its other entries.
     */
    private static Path viewWithout(Path repository, String groupId, Path view) throws IOException {
        Path source = repository.toAbsolutePath().normalize();
        Path target = Files.createDirectories(view);
        for (String part : groupId.split("\\.")) {
            if (!Files.isDirectory(source)) {
                break;
            }
            try (Stream<Path> entries = Files.list(source)) {
                for (Path entry : entries.toList()) {
                    if (!entry.getFileName().toString().equals(part)) {
                        Files.createSymbolicLink(
                                target.resolve(entry.getFileName().toString()), entry);
                    }
                }
            }
            source = source.resolve(part);
            target = Files.createDirectories(target.resolve(part));
        }
        return view;
    }

    /**
     * Deletes {@code directory} and what it holds; a symbolic link is deleted, never followed, so the
     * repository a view links to is left alone.
     */
    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException ex) throws IOException {
                    if (ex != null) {
                        throw ex;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot delete " + directory, ex);
        }
    }
}
