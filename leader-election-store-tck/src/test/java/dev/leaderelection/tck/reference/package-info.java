/**
 * In-memory reference stores that pass the whole contract suite, one of each kind of expiry, so
 * that every case is proven before a real store needs it. Tests only: one JVM, no durability.
 */
@NullMarked
package dev.leaderelection.tck.reference;

import org.jspecify.annotations.NullMarked;
