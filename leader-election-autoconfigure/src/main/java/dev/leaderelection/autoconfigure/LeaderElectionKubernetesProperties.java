package dev.leaderelection.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the Kubernetes lease store: where its Leases live and how they are named. */
@ConfigurationProperties("leader.election.kubernetes")
public class LeaderElectionKubernetesProperties {

    /**
     * Namespace of the Leases. Defaults to the namespace of the Kubernetes client's configuration:
     * the pod's own namespace in a cluster, the current context's namespace from a kubeconfig.
     */
    private @Nullable String namespace;

    /**
     * Prefix of the Lease names, followed by the election name: lower-case letters, digits, '-' and
     * '.'.
     */
    private String leasePrefix = "leader-election-";

    public @Nullable String getNamespace() {
        return namespace;
    }

    public void setNamespace(@Nullable String namespace) {
        this.namespace = namespace;
    }

    public String getLeasePrefix() {
        return leasePrefix;
    }

    public void setLeasePrefix(String leasePrefix) {
        this.leasePrefix = leasePrefix;
    }
}
