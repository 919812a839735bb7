/**
 * The contract suite of the lease store SPI: an abstract JUnit 5 class that every store's test
 * extends, in this project and outside it.
 */
@NullMarked
package dev.leaderelection.tck;

import org.jspecify.annotations.NullMarked;
