package dev.leaderelection.autoconfigure;

import dev.leaderelection.file.FileLeaseStore;
import dev.leaderelection.store.LeaseStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The local file lease store, in {@code leader.election.file.directory}: the processes of one
 * machine elect through OS file locks, with no server. Active when {@code leader-election-file} is
 * on the classpath and {@code leader.election.store} is {@code file} or unset with no other store
 * module present.
 */
@AutoConfiguration(before = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass(FileLeaseStore.class)
@ConditionalOnLeaderElectionStore("file")
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LeaderElectionFileProperties.class)
public final class LeaderElectionFileAutoConfiguration {

    static final String DIRECTORY = "leader.election.file.directory";

    @Bean
    @ConditionalOnMissingBean(LeaseStore.class)
    FileLeaseStore leaderElectionLeaseStore(LeaderElectionFileProperties properties) {
        Path directory = properties.getDirectory();
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new InvalidLeaderElectionPropertiesException(
                    DIRECTORY + " is '" + directory + "', but that is a file: it must name a directory, "
                            + "or a path where the store can create one",
                    List.of(DIRECTORY),
                    null);
        }
        return new FileLeaseStore(directory);
    }
}
