@NullMarked
package dev.leaderelection.demo;

import org.jspecify.annotations.NullMarked;
