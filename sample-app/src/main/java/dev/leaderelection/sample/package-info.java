/**
 * Sample application: a Telnet gateway in which only the leader holds the connection to the
 * destination. It stops writing when its term ends by its own clock; bytes that a pause still puts
 * on the wire later are refused by a destination that checks the fencing token of the greeting.
 */
@NullMarked
package dev.leaderelection.sample;

import org.jspecify.annotations.NullMarked;
