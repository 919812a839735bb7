/**
 * The file store as the fault suite, the benchmarks and the demo see it: no server, only a directory
 * of its own on this machine that the applications' OS file locks and lease files live in.
 */
@NullMarked
package dev.leaderelection.testing.file;

import org.jspecify.annotations.NullMarked;
