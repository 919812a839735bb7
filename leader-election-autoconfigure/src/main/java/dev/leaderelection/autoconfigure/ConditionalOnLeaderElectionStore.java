package dev.leaderelection.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * Matches when the store {@link #value()} is the one to elect through: {@code leader.election.store}
 * names it, or it is not set and this store's module is the only one on the classpath. A store's
 * auto-configuration carries it next to its class conditions.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@Conditional(OnLeaderElectionStoreCondition.class)
@interface ConditionalOnLeaderElectionStore {

    /** The store's name, as {@code leader.election.store} takes it: {@code redis}, {@code jdbc}, ... */
    String value();
}
