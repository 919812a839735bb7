/**
 * The fault-tolerance suite's instruments: the Telnet destination that observes every session with
 * its own clock, and the checker that proves from that history that no two instances ever held the
 * destination at once.
 */
@NullMarked
package dev.leaderelection.faults;

import org.jspecify.annotations.NullMarked;
