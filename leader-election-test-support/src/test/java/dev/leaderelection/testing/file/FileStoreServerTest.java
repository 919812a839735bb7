package dev.leaderelection.testing.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.leaderelection.testing.store.StoreServer;
import dev.leaderelection.testing.store.StoreServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileStoreServerTest {

    @Test
    void aDirectoryOfItsOwnNoServerNoPort() throws Exception {
        Path directory;
        try (StoreServer server = StoreServers.start("file")) {
            assertThat(server).isInstanceOf(FileStoreServer.class);
            assertThat(server.name()).isEqualTo("file");
            assertThat(server.capabilities()).isEmpty();
            assertThat(server.port()).isEmpty();
            assertThat(server.isRunning()).isTrue();
            directory = ((FileStoreServer) server).directory();
            assertThat(directory).isDirectory();
            assertThat(server.applicationProperties())
                    .containsExactly(
                            Map.entry("spring.profiles.active", "file"),
                            Map.entry("leader.election.store", "file"),
                            Map.entry("leader.election.file.directory", directory.toString()));
            assertThat(server.applicationProperties(4242)).isEqualTo(server.applicationProperties());
            assertThat(server.describe()).contains(directory.toString());

            Files.writeString(directory.resolve("e.lease"), "counter=1");
            Files.createDirectories(directory.resolve(".candidates/e"));
            Files.writeString(directory.resolve(".candidates/e/i-a"), "1\n2");
            server.wipe();
            assertThat(directory).isEmptyDirectory();

            assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(server::kill);
            assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(server::freeze);
            assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(server::restart);
        }
        assertThat(directory).doesNotExist();
    }
}
