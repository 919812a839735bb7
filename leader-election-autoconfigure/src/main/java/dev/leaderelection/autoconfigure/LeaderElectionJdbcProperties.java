package dev.leaderelection.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** The PostgreSQL store: {@code leader.election.jdbc.*}. */
@ConfigurationProperties("leader.election.jdbc")
public class LeaderElectionJdbcProperties {

    /**
     * Table of the lease rows, optionally schema-qualified; the fencing sequence and the candidates
     * table take its name with "_fencing" and "_candidates" appended, and it names the NOTIFY channel.
     */
    private String table = "leader_election_lease";

    /**
     * Whether to create the tables at startup ("always": CREATE ... IF NOT EXISTS) or leave them to a
     * DBA ("never": startup fails, showing the DDL, when they are missing).
     */
    private InitializeSchema initializeSchema = InitializeSchema.ALWAYS;

    public String getTable() {
        return table;
    }

    public void setTable(String table) {
        this.table = table;
    }

    public InitializeSchema getInitializeSchema() {
        return initializeSchema;
    }

    public void setInitializeSchema(InitializeSchema initializeSchema) {
        this.initializeSchema = initializeSchema;
    }

    /** When the store creates its tables. */
    public enum InitializeSchema {
        /** CREATE TABLE IF NOT EXISTS at startup. */
        ALWAYS,
        /** A DBA owns the schema: startup only checks that the tables exist. */
        NEVER
    }
}
