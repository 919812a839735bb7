-- Extends the lease, only while the caller's token holds it and it has not run out, and announces the
-- caller as a candidate. Records the server that saw the renewal: the holder's deadline is its now.
-- Parameters: :election, :token, :instance, :ttl (whole microseconds, rounded up). Returns renewed (0 or 1).
WITH server AS (
    SELECT clock_timestamp() AS now,
           pg_postmaster_start_time() AS started,
           substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS timeline
), candidate AS (
    INSERT INTO leader_election_lease_candidates AS c (election, instance, last_seen, expires_at)
    SELECT :election, :instance, s.now, s.now + 2 * :ttl * interval '1 microsecond' FROM server s
    ON CONFLICT (election, instance) DO UPDATE SET last_seen = excluded.last_seen, expires_at = excluded.expires_at
), renewed AS (
    UPDATE leader_election_lease l
    SET expires_at = s.now + :ttl * interval '1 microsecond', server_started = s.started, server_timeline = s.timeline
    FROM server s
    WHERE l.election = :election AND l.holder = :token AND l.expires_at > s.now
    RETURNING 1
)
SELECT count(*) AS renewed FROM renewed
