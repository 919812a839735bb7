package dev.leaderelection.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@link org.springframework.context.SmartLifecycle} bean on the leader of an election only:
 * the context does not start it; it is started after each grant, and stopped on each revocation,
 * before the lease is released (a voluntary step-down waits for the stop, at most until the term's
 * local deadline), so it never runs on two instances at once as long as its {@code stop()} returns
 * within the term. For a message listener container, a session to a single-writer system, a
 * consumer that must be alone.
 *
 * <p>The bean is proxied so that its {@code isAutoStartup()} answers {@code false}; start and stop
 * run on a thread of the bean's own, never on the election's. A name that is not one of the
 * application's elections stops the application at startup.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface LeaderLifecycle {

    /**
     * The election whose leader runs the bean: a name under {@code leader.election.elections}, or
     * the default election's name. Empty (the default) means the default election.
     */
    String election() default "";
}
