package dev.leaderelection.etcd;

import dev.leaderelection.testing.etcd.EtcdCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** jetcd clients and raw key operations for tests. */
final class EtcdClients {

    private EtcdClients() {}

    static Client connect(EtcdCluster cluster) {
        return connect(cluster.endpoints());
    }

    static Client connect(List<String> endpoints) {
        return EtcdLeaseStore.clientBuilder(endpoints).build();
    }

    static EtcdLeaseStore store(EtcdCluster cluster, String keyPrefix) {
        return new EtcdLeaseStore(connect(cluster), keyPrefix);
    }

    static void deleteAll(Client client) {
        ByteSequence nul = ByteSequence.from(new byte[] {0});
        try {
            client.getKVClient()
                    .delete(
                            nul,
                            io.etcd.jetcd.options.DeleteOption.builder()
                                    .withRange(nul)
                                    .build())
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("Cannot delete every key", ex);
        }
    }

    static long delete(Client client, String key) {
        try {
            return client.getKVClient()
                    .delete(ByteSequence.from(key, StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS)
                    .getDeleted();
        } catch (Exception ex) {
            throw new AssertionError("Cannot delete " + key, ex);
        }
    }

    static String get(Client client, String key) {
        try {
            return client
                    .getKVClient()
                    .get(ByteSequence.from(key, StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS)
                    .getKvs()
                    .stream()
                    .findFirst()
                    .map(kv -> kv.getValue().toString(StandardCharsets.UTF_8))
                    .orElse(null);
        } catch (Exception ex) {
            throw new AssertionError("Cannot read " + key, ex);
        }
    }
}
