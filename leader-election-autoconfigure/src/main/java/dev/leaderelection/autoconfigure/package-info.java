/** Spring Boot auto-configuration of leader election: properties, beans, lifecycle, diagnostics. */
@NullMarked
package dev.leaderelection.autoconfigure;

import org.jspecify.annotations.NullMarked;
