/** The method interceptor behind {@link dev.leaderelection.annotation.LeaderOnly}, and what applies it. */
@NullMarked
package dev.leaderelection.aop;

import org.jspecify.annotations.NullMarked;
