package dev.leaderelection.testing.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.leaderelection.testing.redis.RedisStoreServer;
import org.junit.jupiter.api.Test;

class StoreServersTest {

    @Test
    void redisServerStartsKillsFreezesRestartsAndWipes() {
        try (StoreServer server = StoreServers.start("redis")) {
            assertThat(server).isInstanceOf(RedisStoreServer.class);
            assertThat(server.name()).isEqualTo("redis");
            assertThat(server.capabilities()).containsExactlyInAnyOrder(StoreServer.Capability.values());
            int port = server.port().orElseThrow();
            assertThat(server.applicationProperties())
                    .containsEntry("leader.election.store", "redis")
                    .containsEntry("spring.profiles.active", "redis")
                    .containsEntry("spring.data.redis.port", Integer.toString(port));
            assertThat(StoreServer.arguments(server.applicationProperties(4242)))
                    .contains("--spring.data.redis.port=4242", "--leader.election.store=redis");

            var redis = ((RedisStoreServer) server).redis();
            redis.command("SET", "k", "v");
            server.wipe();
            assertThat(redis.command("EXISTS", "k")).isEqualTo("0");

            server.freeze();
            assertThat(server.isRunning()).isTrue();
            server.resume();
            assertThat(redis.command("PING")).isEqualTo("PONG");

            server.kill();
            assertThat(server.isRunning()).isFalse();
            server.restart();
            assertThat(server.port().orElseThrow()).isEqualTo(port);
            assertThat(redis.command("EXISTS", "k")).isEqualTo("0");
        }
    }

    @Test
    void namesAreCanonicalWithPostgresForJdbc() {
        assertThat(StoreServers.canonicalName(" Redis ")).isEqualTo("redis");
        assertThat(StoreServers.canonicalName("postgres")).isEqualTo("jdbc");
        assertThat(StoreServers.canonicalName("postgresql")).isEqualTo("jdbc");
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> StoreServers.canonicalName("mongo"))
                .withMessageContaining("Unknown store 'mongo'")
                .withMessageContaining("redis, jdbc, etcd, zookeeper, kubernetes, file");
    }

    @Test
    void aKnownStoreWithoutALauncherSaysSo() {
        StoreServers.KNOWN.stream()
                .filter(store -> !StoreServers.AVAILABLE.contains(store))
                .forEach(store -> assertThatExceptionOfType(UnsupportedOperationException.class)
                        .isThrownBy(() -> StoreServers.start(store))
                        .withMessageContaining("The " + store + " store has no server launcher in this build yet"));
    }
}
