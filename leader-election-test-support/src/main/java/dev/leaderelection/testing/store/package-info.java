/**
 * The store's server, whichever store it is: {@link dev.leaderelection.testing.store.StoreServer}
 * is what the fault suite, the benchmarks and the demo crash, freeze and restart, and {@link
 * dev.leaderelection.testing.store.StoreServers} starts the one a store name picks. A store plugs in
 * with one implementation (next to its launcher, under {@code dev.leaderelection.testing.<store>})
 * and one case in {@link dev.leaderelection.testing.store.StoreServers#start(String)}.
 */
@NullMarked
package dev.leaderelection.testing.store;

import org.jspecify.annotations.NullMarked;
