package dev.leaderelection.autoconfigure;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the ZooKeeper lease store, under {@code leader.election.zookeeper}. */
@ConfigurationProperties("leader.election.zookeeper")
public class LeaderElectionZooKeeperProperties {

    /** ZooKeeper servers to connect to, as host:port pairs separated by commas. */
    private String connectString = "localhost:2181";

    /** Node under which the elections are kept: an absolute path such as /leader-election. */
    private String rootPath = "/leader-election";

    /**
     * Session timeout to ask ZooKeeper for. Defaults to 'leader.election.lease-duration' and must
     * not be larger; the server may grant another one, within 2 and 20 of its tick times by
     * default, and a session shorter than a lease makes the store refuse that lease.
     */
    private @Nullable Duration sessionTimeout;

    public String getConnectString() {
        return connectString;
    }

    public void setConnectString(String connectString) {
        this.connectString = connectString;
    }

    public String getRootPath() {
        return rootPath;
    }

    public void setRootPath(String rootPath) {
        this.rootPath = rootPath;
    }

    public @Nullable Duration getSessionTimeout() {
        return sessionTimeout;
    }

    public void setSessionTimeout(@Nullable Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }
}
