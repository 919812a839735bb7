/** Actuator endpoint, health indicator and Micrometer metrics for leader election. */
@NullMarked
package dev.leaderelection.actuate;

import org.jspecify.annotations.NullMarked;
