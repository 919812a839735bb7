package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.file.FileLeaseStore;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

/**
 * The file store's wiring, with the file store the only store module on the class path. It runs in
 * the surefire execution {@code file-store}, whose class path has the file module (see the pom); the
 * default execution leaves that module out so that Redis is the only store module there.
 */
@EnabledIf(value = "fileStoreOnClassPath", disabledReason = "runs in the surefire execution file-store")
class LeaderElectionFileAutoConfigurationTests {

    static boolean fileStoreOnClassPath() {
        return ClassUtils.isPresent("dev.leaderelection.file.FileLeaseStore", null);
    }

    /** The store alone: its beans are created, no elector starts. */
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withClassLoader(new FilteredClassLoader(RedisLeaseStore.class))
            .withConfiguration(AutoConfigurations.of(
                    LeaderElectionStoreAutoConfiguration.class, LeaderElectionFileAutoConfiguration.class));

    @TempDir
    Path temporary;

    @Test
    void runWithTheFileStoreAloneShouldElectThroughTheConfiguredDirectory() throws IOException {
        Path directory = Files.createDirectories(temporary.resolve("elections"));
        contextRunner
                .withConfiguration(AutoConfigurations.of(LeaderElectionAutoConfiguration.class))
                .withPropertyValues("leader.election.file.directory=" + directory, "leader.election.name=orders")
                .run(context -> {
                    assertThat(context).hasSingleBean(FileLeaseStore.class);
                    assertThat(context.getBean(FileLeaseStore.class).directory())
                            .isEqualTo(directory.toAbsolutePath());
                    assertThat(context.getBean(StoreSelection.class).store()).isEqualTo("file");
                    LeaderElector elector = context.getBean(LeaderElector.class);
                    await().atMost(Duration.ofSeconds(20)).until(elector::isLeader);
                    assertThat(directory.resolve("orders.lock")).exists();
                });
    }

    @Test
    void runWithoutADirectoryShouldUseOneInTheTemporaryDirectory() {
        contextRunner.run(
                context -> assertThat(context.getBean(FileLeaseStore.class).directory())
                        .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "leader-election")
                                .toAbsolutePath()
                                .normalize()));
    }

    @Test
    void runWithAFileAsTheDirectoryShouldFailNamingTheProperty() throws IOException {
        Path file = Files.createFile(temporary.resolve("not-a-directory"));
        contextRunner
                .withPropertyValues("leader.election.file.directory=" + file)
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidLeaderElectionPropertiesException.class)
                            .hasMessage("leader.election.file.directory is '" + file + "', but that is a file: it "
                                    + "must name a directory, or a path where the store can create one");
                });
    }

    @Test
    void runWithAUserStoreShouldBackOff() {
        LeaseStore own = new OwnStore();
        contextRunner
                .withBean("ownStore", LeaseStore.class, () -> own)
                .withPropertyValues("leader.election.file.directory=" + temporary)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(FileLeaseStore.class);
                    assertThat(context).getBean(LeaseStore.class).isSameAs(own);
                });
    }

    @Test
    void runWhenDisabledShouldCreateNoStore() {
        contextRunner
                .withPropertyValues("leader.election.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(LeaseStore.class));
    }

    /** A user's own store; never called here. */
    private static final class OwnStore implements LeaseStore {

        @Override
        public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Boolean> release(String election, LeaseToken token) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
            return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public String kind() {
            return "own";
        }
    }
}
