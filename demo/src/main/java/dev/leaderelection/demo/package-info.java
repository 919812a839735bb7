/**
 * The one-command demo: an embedded Redis, a Telnet destination and three sample-app processes,
 * taken through a leader crash and a Redis outage while a timeline shows what each one does.
 */
@NullMarked
package dev.leaderelection.demo;

import org.jspecify.annotations.NullMarked;
