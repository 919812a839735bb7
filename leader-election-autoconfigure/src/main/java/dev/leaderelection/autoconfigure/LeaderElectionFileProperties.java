package dev.leaderelection.autoconfigure;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The local file store: {@code leader.election.file.*}. */
@ConfigurationProperties("leader.election.file")
public class LeaderElectionFileProperties {

    /**
     * Directory that holds the elections' lock, lease and candidate files; every process of the
     * election must name the same directory, on the machine's own disk (not a network or shared
     * volume). Created when missing. Defaults to 'leader-election' in the temporary directory
     * (java.io.tmpdir).
     */
    private Path directory = Path.of(System.getProperty("java.io.tmpdir"), "leader-election");

    public Path getDirectory() {
        return directory;
    }

    public void setDirectory(Path directory) {
        this.directory = directory;
    }
}
