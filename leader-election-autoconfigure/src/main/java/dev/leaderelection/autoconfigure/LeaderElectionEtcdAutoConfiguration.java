package dev.leaderelection.autoconfigure;

import dev.leaderelection.etcd.EtcdLeaseStore;
import dev.leaderelection.store.LeaseStore;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.util.StringUtils;

/**
 * The etcd lease store, on a jetcd client of its own built from {@code leader.election.etcd.*}
 * (endpoints, credentials, TLS through a Spring SSL bundle), which the store closes with itself.
 * Active when {@code leader-election-etcd} and jetcd are on the classpath, and {@code
 * leader.election.store} is {@code etcd} or unset with no other store module present.
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration",
        before = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass({EtcdLeaseStore.class, Client.class})
@ConditionalOnLeaderElectionStore("etcd")
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LeaderElectionEtcdProperties.class)
public final class LeaderElectionEtcdAutoConfiguration {

    private static final String PREFIX = "leader.election.etcd.";

    @Bean
    @ConditionalOnMissingBean(LeaseStore.class)
    EtcdLeaseStore leaderElectionLeaseStore(
            LeaderElectionEtcdProperties properties, ObjectProvider<SslBundles> sslBundles) {
        String keyPrefix = properties.getKeyPrefix();
        if (!StringUtils.hasText(keyPrefix) || keyPrefix.contains("\n")) {
            throw invalid("key-prefix", "leader.election.etcd.key-prefix must not be empty");
        }
        ClientBuilder builder = EtcdLeaseStore.clientBuilder(endpoints(properties));
        if (StringUtils.hasText(properties.getUser())) {
            builder.user(ByteSequence.from(properties.getUser(), StandardCharsets.UTF_8));
            builder.password(ByteSequence.from(
                    properties.getPassword() == null ? "" : properties.getPassword(), StandardCharsets.UTF_8));
        } else if (StringUtils.hasText(properties.getPassword())) {
            throw invalid(
                    "user",
                    "leader.election.etcd.password is set but leader.election.etcd.user is not: set both or neither");
        }
        String bundleName = properties.getSsl().getBundle();
        if (StringUtils.hasText(bundleName)) {
            applySsl(builder, bundleName, sslBundles.getIfAvailable());
        }
        return new EtcdLeaseStore(builder.build(), keyPrefix);
    }

    private static List<String> endpoints(LeaderElectionEtcdProperties properties) {
        List<String> endpoints = properties.getEndpoints();
        if (endpoints == null || endpoints.isEmpty()) {
            throw invalid(
                    "endpoints",
                    "leader.election.etcd.endpoints must name at least one etcd member, such as http://localhost:2379");
        }
        for (String endpoint : endpoints) {
            if (!isUrl(endpoint)) {
                throw invalid(
                        "endpoints",
                        "leader.election.etcd.endpoints has '" + endpoint
                                + "', but each endpoint must be a URL with scheme, host and port, such as http://localhost:2379 or https://etcd-0:2379");
            }
        }
        return endpoints.stream().map(String::trim).toList();
    }

    private static boolean isUrl(String endpoint) {
        try {
            URI uri = new URI(endpoint.trim());
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null
                    && uri.getPort() > 0;
        } catch (URISyntaxException ex) {
            return false;
        }
    }

    private static void applySsl(ClientBuilder builder, String bundleName, @Nullable SslBundles sslBundles) {
        if (sslBundles == null) {
            throw invalid(
                    "ssl.bundle",
                    "leader.election.etcd.ssl.bundle is '" + bundleName
                            + "', but no SSL bundles are configured (spring.ssl.bundle.*)");
        }
        SslBundle bundle;
        try {
            bundle = sslBundles.getBundle(bundleName);
        } catch (NoSuchSslBundleException ex) {
            throw invalid(
                    "ssl.bundle",
                    "leader.election.etcd.ssl.bundle is '" + bundleName
                            + "', but there is no SSL bundle of that name under spring.ssl.bundle.*");
        }
        try {
            builder.sslContext(ssl -> ssl.keyManager(bundle.getManagers().getKeyManagerFactory())
                    .trustManager(bundle.getManagers().getTrustManagerFactory()));
        } catch (SSLException ex) {
            throw new InvalidLeaderElectionPropertiesException(
                    "leader.election.etcd.ssl.bundle '" + bundleName + "' cannot make a TLS context: "
                            + ex.getMessage(),
                    List.of(PREFIX + "ssl.bundle"),
                    ex);
        }
    }

    private static InvalidLeaderElectionPropertiesException invalid(String property, String message) {
        return new InvalidLeaderElectionPropertiesException(message, List.of(PREFIX + property), null);
    }
}
