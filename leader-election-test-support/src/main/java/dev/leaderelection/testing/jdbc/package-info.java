/**
 * The PostgreSQL store ({@code leader.election.store=jdbc}) as a {@link
 * dev.leaderelection.testing.store.StoreServer}, over the {@link
 * dev.leaderelection.testing.postgres.ProcessPostgresServer} launcher.
 */
@NullMarked
package dev.leaderelection.testing.jdbc;

import org.jspecify.annotations.NullMarked;
