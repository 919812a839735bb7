/**
 * The Redis lease store: per election a lease key, a term key that outlives the lease key's loss, and
 * a fencing counter, changed only by Lua scripts, and a pub/sub channel that wakes waiting instances
 * on release. Works with Redis, Valkey and DragonFly; the keys of one election share a hash tag so it
 * also works on a cluster.
 */
@NullMarked
package dev.leaderelection.redis;

import org.jspecify.annotations.NullMarked;
