/** The Spring AOP aspect behind {@link dev.leaderelection.annotation.LeaderOnly}. */
@NullMarked
package dev.leaderelection.aop;

import org.jspecify.annotations.NullMarked;
