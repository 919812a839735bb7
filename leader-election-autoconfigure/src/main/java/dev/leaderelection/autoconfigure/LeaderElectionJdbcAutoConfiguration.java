package dev.leaderelection.autoconfigure;

import dev.leaderelection.jdbc.JdbcLeaseStore;
import dev.leaderelection.store.LeaseStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The PostgreSQL lease store on the application's {@link DataSource}, so that every {@code
 * spring.datasource.*} setting applies unchanged. Active when {@code leader-election-jdbc} and the
 * PostgreSQL driver are on the classpath, and {@code leader.election.store} is {@code jdbc} or
 * unset with no other store module present. Its statement timeout is the
 * shortest operation timeout of all elections.
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        before = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass({JdbcLeaseStore.class, DataSource.class, org.postgresql.Driver.class})
@ConditionalOnLeaderElectionStore("jdbc")
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@EnableConfigurationProperties({LeaderElectionProperties.class, LeaderElectionJdbcProperties.class})
public final class LeaderElectionJdbcAutoConfiguration {

    private static final String TABLE_RULE = "must be an unquoted PostgreSQL name of at most 48 characters"
            + " (letters, digits and '_', not starting with a digit), optionally after a schema name and '.'";

    @Bean
    @ConditionalOnMissingBean(LeaseStore.class)
    @ConditionalOnSingleCandidate(DataSource.class)
    JdbcLeaseStore leaderElectionLeaseStore(
            DataSource dataSource, LeaderElectionProperties properties, LeaderElectionJdbcProperties jdbc) {
        try {
            return JdbcLeaseStore.builder(dataSource)
                    .table(jdbc.getTable())
                    .initializeSchema(JdbcLeaseStore.InitializeSchema.valueOf(
                            jdbc.getInitializeSchema().name()))
                    .statementTimeout(shortestOperationTimeout(properties))
                    .build();
        } catch (IllegalArgumentException ex) {
            throw new InvalidLeaderElectionPropertiesException(
                    "leader.election.jdbc.table ('%s') %s".formatted(jdbc.getTable(), TABLE_RULE),
                    List.of("leader.election.jdbc.table"),
                    ex);
        }
    }

    /** No store call may outlast the operation timeout of any election. */
    private static Duration shortestOperationTimeout(LeaderElectionProperties properties) {
        return properties.getElections().values().stream()
                .map(LeaderElectionProperties.Election::getOperationTimeout)
                .filter(Objects::nonNull)
                .reduce(properties.getOperationTimeout(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }
}
