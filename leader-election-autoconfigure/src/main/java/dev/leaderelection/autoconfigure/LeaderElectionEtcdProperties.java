package dev.leaderelection.autoconfigure;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the etcd lease store ({@code leader.election.etcd.*}). */
@ConfigurationProperties("leader.election.etcd")
public class LeaderElectionEtcdProperties {

    /** Client URLs of the etcd members, such as http://etcd-0:2379; https:// with TLS. */
    private List<String> endpoints = List.of("http://localhost:2379");

    /** Prefix of every key the election writes; each election's keys are under prefix + name + '/'. */
    private String keyPrefix = "/leader-election/";

    /** User name for etcd authentication. */
    private @Nullable String user;

    /** Password for etcd authentication. */
    private @Nullable String password;

    private final Ssl ssl = new Ssl();

    public List<String> getEndpoints() {
        return endpoints;
    }

    public void setEndpoints(List<String> endpoints) {
        this.endpoints = endpoints;
    }

    public String getKeyPrefix() {
        return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public @Nullable String getUser() {
        return user;
    }

    public void setUser(@Nullable String user) {
        this.user = user;
    }

    public @Nullable String getPassword() {
        return password;
    }

    public void setPassword(@Nullable String password) {
        this.password = password;
    }

    public Ssl getSsl() {
        return ssl;
    }

    /** TLS towards etcd. */
    public static class Ssl {

        /** Name of the SSL bundle (spring.ssl.bundle.*) with the trust material and any client certificate. */
        private @Nullable String bundle;

        public @Nullable String getBundle() {
            return bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }
    }
}
