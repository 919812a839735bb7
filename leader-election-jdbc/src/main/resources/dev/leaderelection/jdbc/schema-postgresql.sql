-- The tables of leader-election's PostgreSQL store. Every name starts with the configured table name
-- (leader.election.jdbc.table, default leader_election_lease); the store runs this file at startup
-- with leader.election.jdbc.initialize-schema=always (the default). Safe to run again.

-- One row per election. Times are on the database server's clock (clock_timestamp()).
CREATE TABLE IF NOT EXISTS leader_election_lease (
    election        varchar(255) PRIMARY KEY,
    holder          text,        -- '<random nonce>:<instance id>' of the holder, null when free
    holder_id       text,        -- the holder's instance id, for people
    expires_at      timestamptz, -- the lease ends here unless the holder renews it
    fencing_token   bigint,      -- the last fencing token handed out
    server_started  timestamptz, -- pg_postmaster_start_time() of the server that last wrote the lease
    server_timeline text,        -- and its WAL timeline: a restart or a promotion changes one of them
    hold_until      timestamptz, -- the restart guard grants nothing before this
    hold_reason     text         -- why: '(postgres restarted)', '(postgres promoted)', '(new lease row)'
);

-- Fencing tokens: never below the server clock in microseconds, so they keep growing after a restore.
CREATE SEQUENCE IF NOT EXISTS leader_election_lease_fencing;

-- The instances that campaigned lately: each acquire or renew upserts its caller.
CREATE TABLE IF NOT EXISTS leader_election_lease_candidates (
    election   varchar(255) NOT NULL,
    instance   text         NOT NULL,
    last_seen  timestamptz  NOT NULL,
    expires_at timestamptz  NOT NULL, -- last_seen + 2 x the caller's lease
    PRIMARY KEY (election, instance)
);
