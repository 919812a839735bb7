package dev.leaderelection.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * The store modules this auto-configuration knows, by the value of {@code leader.election.store},
 * and which of them are on the classpath: the one present is used without a {@code store} setting,
 * and several present need one.
 */
final class StoreModules {

    static final String PROPERTY = "leader.election.store";

    /** Each store's name, its lease store class (the module's marker) and the starter that brings it. */
    private static final Map<String, String[]> MODULES = new LinkedHashMap<>();

    static {
        MODULES.put("redis", new String[] {"dev.leaderelection.redis.RedisLeaseStore", "leader-election-starter"});
        MODULES.put("jdbc", new String[] {"dev.leaderelection.jdbc.JdbcLeaseStore", "leader-election-starter-jdbc"});
        MODULES.put("etcd", new String[] {"dev.leaderelection.etcd.EtcdLeaseStore", "leader-election-starter-etcd"});
        MODULES.put(
                "zookeeper",
                new String[] {"dev.leaderelection.zookeeper.ZooKeeperLeaseStore", "leader-election-starter-zookeeper"});
        MODULES.put("kubernetes", new String[] {
            "dev.leaderelection.kubernetes.KubernetesLeaseStore", "leader-election-starter-kubernetes"
        });
        MODULES.put("file", new String[] {"dev.leaderelection.file.FileLeaseStore", "leader-election-starter-file"});
    }

    private StoreModules() {}

    static Set<String> names() {
        return MODULES.keySet();
    }

    /** The stores whose module is on the classpath of {@code classLoader}, in the order of {@link #names()}. */
    static List<String> present(@Nullable ClassLoader classLoader) {
        return MODULES.entrySet().stream()
                .filter(module -> ClassUtils.isPresent(module.getValue()[0], classLoader))
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The starter that brings the store {@code name}. */
    static String starter(String name) {
        return MODULES.get(name)[1];
    }

    /** The store named by {@code setting} (trimmed, any case), or {@code null} if there is none of that name. */
    static @Nullable String named(String setting) {
        String name = setting.trim().toLowerCase(java.util.Locale.ROOT);
        return MODULES.containsKey(name) ? name : null;
    }
}
