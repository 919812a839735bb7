/**
 * Sample application: a Telnet gateway in which only the leader holds the connection to the
 * destination, and no byte is written after leadership ends.
 */
@NullMarked
package dev.leaderelection.sample;

import org.jspecify.annotations.NullMarked;
