package dev.leaderelection.autoconfigure;

import dev.leaderelection.kubernetes.KubernetesLeaseStore;
import dev.leaderelection.store.LeaseStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.util.StringUtils;

/**
 * The Kubernetes lease store: a {@code coordination.k8s.io/v1} Lease per election in one namespace,
 * through the application's {@link KubernetesClient} bean if it has exactly one (Spring Cloud
 * Kubernetes defines one), else through a client of the store's own from the default configuration
 * (the pod's service account in a cluster, else the kubeconfig), closed with the store. Active when
 * {@code leader-election-kubernetes} is on the classpath and {@code leader.election.store} is
 * {@code kubernetes} or unset with no other store module present.
 */
@AutoConfiguration(
        afterName = "org.springframework.cloud.kubernetes.fabric8.Fabric8AutoConfiguration",
        before = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass({KubernetesLeaseStore.class, KubernetesClient.class})
@ConditionalOnLeaderElectionStore("kubernetes")
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@EnableConfigurationProperties({LeaderElectionProperties.class, LeaderElectionKubernetesProperties.class})
public final class LeaderElectionKubernetesAutoConfiguration {

    private static final String PREFIX = "leader.election.kubernetes.";

    @Bean
    @ConditionalOnMissingBean(LeaseStore.class)
    KubernetesLeaseStore leaderElectionLeaseStore(
            ObjectProvider<KubernetesClient> clients, LeaderElectionKubernetesProperties properties) {
        KubernetesClient shared = clients.getIfUnique();
        KubernetesClient client = shared != null ? shared : new KubernetesClientBuilder().build();
        String namespace = namespace(properties, client);
        try {
            return shared != null
                    ? new KubernetesLeaseStore(client, namespace, properties.getLeasePrefix())
                    : KubernetesLeaseStore.owning(client, namespace, properties.getLeasePrefix());
        } catch (IllegalArgumentException ex) {
            if (shared == null) {
                client.close();
            }
            throw new InvalidLeaderElectionPropertiesException(
                    PREFIX + "lease-prefix ('" + properties.getLeasePrefix() + "') must be lower-case letters, digits,"
                            + " '-' and '.', starting with a letter or digit, so that it can start a Kubernetes"
                            + " object name",
                    List.of(PREFIX + "lease-prefix"),
                    null);
        }
    }

    /** The property, else the client configuration's namespace (the pod's own in a cluster), else {@code default}. */
    private static String namespace(LeaderElectionKubernetesProperties properties, KubernetesClient client) {
        if (properties.getNamespace() != null) {
            if (!StringUtils.hasText(properties.getNamespace())) {
                throw new InvalidLeaderElectionPropertiesException(
                        PREFIX + "namespace is blank, but must name a namespace, or be left unset for the pod's own",
                        List.of(PREFIX + "namespace"),
                        null);
            }
            return properties.getNamespace().trim();
        }
        String configured = client.getNamespace();
        return StringUtils.hasText(configured) ? configured : "default";
    }
}
