/** Annotations that guard code with leadership. */
@NullMarked
package dev.leaderelection.annotation;

import org.jspecify.annotations.NullMarked;
