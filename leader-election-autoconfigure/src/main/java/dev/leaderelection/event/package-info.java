/** Spring application events for leadership transitions. */
@NullMarked
package dev.leaderelection.event;

import org.jspecify.annotations.NullMarked;
