package dev.leaderelection.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The machine a run measured, as the report names it: processor, cores, memory, operating system,
 * JDK and Redis. Never the host's name or address.
 *
 * @param cpu the processor model, with "virtual machine" when a hypervisor is seen
 * @param cores processors available to the JVM
 * @param memoryGiB physical memory
 * @param os the distribution and kernel
 * @param jdk the JVM and its version
 * @param redis the Redis server's version
 */
record MachineInfo(String cpu, int cores, long memoryGiB, String os, String jdk, String redis) {

    static MachineInfo describe(String redisVersion) {
        List<String> cpuInfo = lines(Path.of("/proc/cpuinfo"));
        String model = field(cpuInfo, "model name").orElse(System.getProperty("os.arch"));
        boolean virtual = field(cpuInfo, "flags")
                .map(flags -> flags.contains("hypervisor"))
                .orElse(false);
        String distribution = field(lines(Path.of("/etc/os-release")), "PRETTY_NAME")
                .map(name -> name.replace("\"", "") + ", ")
                .orElse("");
        long memory = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return new MachineInfo(
                model + (virtual ? " (virtual machine)" : ""),
                Runtime.getRuntime().availableProcessors(),
                Math.round(memory / (double) (1L << 30)),
                distribution + System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                redisVersion);
    }

    private static Optional<String> field(List<String> lines, String name) {
        return lines.stream()
                .filter(line -> line.startsWith(name))
                .map(line -> line.substring(line.indexOf(line.contains(":") ? ':' : '=') + 1)
                        .trim())
                .findFirst();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.isReadable(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException ex) {
            return List.of();
        }
    }
}
