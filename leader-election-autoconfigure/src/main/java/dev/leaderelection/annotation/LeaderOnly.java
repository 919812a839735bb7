package dev.leaderelection.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a method only while this instance is leader of an election, the default one unless {@link
 * #election()} names another; on a type, guards every public method of the bean. The check reads
 * the elector's local deadline: no store round trip, no lock. A name that is not one of the
 * application's elections stops the application at startup.
 *
 * <p>On a follower, a {@code void} method is skipped and any other method throws {@link
 * dev.leaderelection.NotLeaderException}, unless {@link #onFollower()} says otherwise. Works with
 * {@code @Scheduled}, so a scheduled job runs on the leader only.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface LeaderOnly {

    /**
     * The election whose leader may run the method: a name under {@code leader.election.elections},
     * or the default election's name. Empty (the default) means the default election.
     */
    String election() default "";

    /** What a call on a follower does. */
    OnFollower onFollower() default OnFollower.DEFAULT;

    /** What a guarded call does when this instance is not leader. */
    enum OnFollower {
        /** Skip {@code void} methods, throw for all others. */
        DEFAULT,
        /**
         * Skip the call; a method that returns an object returns {@code null}, one that returns a
         * primitive throws as {@link #THROW} does.
         */
        SKIP,
        /** Throw {@link dev.leaderelection.NotLeaderException}. */
        THROW
    }
}
