/**
 * The PostgreSQL lease store: one row per election whose {@code expires_at} is judged on the
 * database server's clock, changed only by single statements (resources next to this package), a
 * sequence for fencing tokens floored at the server clock in microseconds, and {@code
 * LISTEN/NOTIFY} on one connection per store that wakes waiting instances on release and announces
 * grants. Plain JDBC on a {@link javax.sql.DataSource}; no Spring.
 */
@NullMarked
package dev.leaderelection.jdbc;

import org.jspecify.annotations.NullMarked;
