/**
 * Processes that tests and the demo start and abuse: an application jar run with {@code java -jar},
 * killed, stopped gracefully, frozen and thawed.
 */
@NullMarked
package dev.leaderelection.testing.process;

import org.jspecify.annotations.NullMarked;
