/**
 * The etcd lease store: each election's leader key bound to an etcd lease, one transaction per
 * call, linearizable reads only, and one watch per store that wakes followers on release.
 */
@NullMarked
package dev.leaderelection.etcd;

import org.jspecify.annotations.NullMarked;
