package dev.leaderelection.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code leader.election.elections} configures further elections besides the default
 * one ({@link #value()} {@code true}), or when it configures none ({@code false}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@Conditional(OnFurtherElectionsCondition.class)
@interface ConditionalOnFurtherElections {

    /** Whether further elections must be configured ({@code true}) or absent ({@code false}). */
    boolean value() default true;
}
