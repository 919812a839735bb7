/** Tests of the Telnet gateway against real Redis and a real socket destination. */
@NullMarked
package dev.leaderelection.sample;

import org.jspecify.annotations.NullMarked;
