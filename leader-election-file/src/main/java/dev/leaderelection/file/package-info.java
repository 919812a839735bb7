/**
 * The local file lease store: per election an OS-locked lock file, a lease file with the fencing
 * counter and the holder, and candidate files, all in one directory of one machine. The OS lock
 * keeps other processes out while the leader process lives; a lease table shared by the whole JVM
 * keeps the electors of one process apart and expires their leases.
 */
@NullMarked
package dev.leaderelection.file;

import org.jspecify.annotations.NullMarked;
