/**
 * Real Redis servers for integration tests: a local {@code redis-server} process or a Docker
 * container, with controls to kill, restart, pause and resume them. Start with {@link
 * dev.leaderelection.testing.redis.RedisServerExtension}.
 */
@NullMarked
package dev.leaderelection.testing.redis;

import org.jspecify.annotations.NullMarked;
