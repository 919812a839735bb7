package dev.leaderelection.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.leaderelection.testing.store.StoreServers;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void redisByDefault() {
        assertThat(DemoOptions.parse().store()).isEqualTo("redis");
    }

    @Test
    void storeWithEqualsSignOrAsTheNextArgument() {
        assertThat(DemoOptions.parse("--store=redis").store()).isEqualTo("redis");
        assertThat(DemoOptions.parse("--store", "Redis", "--instances=2")).satisfies(options -> {
            assertThat(options.store()).isEqualTo("redis");
            assertThat(options.instances()).isEqualTo(2);
        });
    }

    @Test
    void unknownStoreSaysWhichExist() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DemoOptions.parse("--store=mongo"))
                .withMessageContaining("Unknown store 'mongo'")
                .withMessageContaining("redis, jdbc, etcd, zookeeper, kubernetes, file");
    }

    @Test
    void storeWithoutAValueSaysSo() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DemoOptions.parse("--store"))
                .withMessageContaining("--store needs a store name");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DemoOptions.parse("--store", "--instances=2"))
                .withMessageContaining("--store needs a store name");
    }

    @Test
    void postgresIsJdbcAndAStoreNotInThisBuildSaysSo() {
        if (StoreServers.AVAILABLE.contains("jdbc")) {
            assertThat(DemoOptions.parse("--store=postgres").store()).isEqualTo("jdbc");
        } else {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> DemoOptions.parse("--store=postgres"))
                    .withMessageContaining("cannot run the jdbc store in this build yet")
                    .withMessageContaining("available: redis");
        }
    }
}
