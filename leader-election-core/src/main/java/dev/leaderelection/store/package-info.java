/**
 * The lease store SPI: the few atomic operations an election needs from a shared store.
 *
 * <p>A store only executes single operations; all timing (timeouts, renewals, back-off, deadlines)
 * lives in the election engine, so every store gets the same fail-closed behaviour.
 */
@NullMarked
package dev.leaderelection.store;

import org.jspecify.annotations.NullMarked;
