/**
 * A TCP proxy on the loopback address that a test controls: it can delay, hold back and cut the
 * traffic between an application and its server, one direction at a time, and move to another
 * server as one address of a Redis that fails over.
 */
@NullMarked
package dev.leaderelection.testing.proxy;

import org.jspecify.annotations.NullMarked;
