-- Takes the lease if it is free or already ours, hands out the next fencing token, announces the
-- caller as a candidate, and on a grant notifies the other instances. One statement, one transaction.
-- Parameters: :election, :token ('<nonce>:<instance id>'), :instance, :ttl (lease in whole
-- microseconds, rounded up), :guard (true: hold grants back for one lease when the server may lack
-- the last grant or renewal), :channel (the NOTIFY channel).
-- Returns one row: granted, fencing_token, holder_id (the holder, or why grants are held back) and
-- remaining_micros (of the holder's lease, or of the hold).
WITH server AS (
    SELECT clock_timestamp() AS now,
           pg_postmaster_start_time() AS started,
           substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS timeline
), candidate AS (
    INSERT INTO leader_election_lease_candidates AS c (election, instance, last_seen, expires_at)
    SELECT :election, :instance, s.now, s.now + 2 * :ttl * interval '1 microsecond' FROM server s
    ON CONFLICT (election, instance) DO UPDATE SET last_seen = excluded.last_seen, expires_at = excluded.expires_at
), gone AS (
    DELETE FROM leader_election_lease_candidates
    WHERE election = :election AND instance <> :instance AND expires_at < (SELECT now FROM server)
), lease AS (
    -- A new row: granted at once, or with the guard on held back for one lease (its history is unknown).
    INSERT INTO leader_election_lease AS l
        (election, holder, holder_id, expires_at, fencing_token, server_started, server_timeline, hold_until, hold_reason)
    SELECT :election,
           CASE WHEN :guard THEN NULL ELSE :token END,
           CASE WHEN :guard THEN NULL ELSE :instance END,
           CASE WHEN :guard THEN NULL ELSE s.now + :ttl * interval '1 microsecond' END,
           CASE WHEN :guard THEN NULL ELSE setval('leader_election_lease_fencing', greatest(
               nextval('leader_election_lease_fencing'),
               floor(extract(epoch FROM s.now) * 1000000)::bigint + 1)) END,
           s.started, s.timeline,
           CASE WHEN :guard THEN s.now + :ttl * interval '1 microsecond' END,
           CASE WHEN :guard THEN '(new lease row)' END
    FROM server s
    ON CONFLICT (election) DO UPDATE SET
        (holder, holder_id, expires_at, fencing_token, server_started, server_timeline, hold_until, hold_reason) = (
        SELECT
            CASE d.outcome WHEN 'grant' THEN :token WHEN 'hold' THEN NULL ELSE l.holder END,
            CASE d.outcome WHEN 'grant' THEN :instance WHEN 'hold' THEN NULL ELSE l.holder_id END,
            CASE d.outcome WHEN 'grant' THEN d.now + :ttl * interval '1 microsecond'
                           WHEN 'hold' THEN NULL ELSE l.expires_at END,
            -- Above the last token of the election, the sequence and the server clock in microseconds.
            CASE d.outcome WHEN 'grant' THEN setval('leader_election_lease_fencing', greatest(
                    nextval('leader_election_lease_fencing'),
                    floor(extract(epoch FROM d.now) * 1000000)::bigint + 1,
                    coalesce(l.fencing_token, 0) + 1))
                ELSE l.fencing_token END,
            CASE WHEN d.outcome IN ('grant', 'hold') THEN d.started ELSE l.server_started END,
            CASE WHEN d.outcome IN ('grant', 'hold') THEN d.timeline ELSE l.server_timeline END,
            CASE d.outcome WHEN 'grant' THEN NULL
                           WHEN 'hold' THEN d.now + :ttl * interval '1 microsecond' ELSE l.hold_until END,
            CASE d.outcome WHEN 'grant' THEN NULL WHEN 'hold' THEN d.reason ELSE l.hold_reason END
        FROM (
            SELECT s.now, s.started, s.timeline,
                CASE
                    WHEN l.holder = :token AND l.expires_at > s.now THEN 'grant' -- ours: a new term
                    WHEN l.holder IS NOT NULL AND l.expires_at > s.now THEN 'held'
                    WHEN NOT :guard THEN 'grant'
                    -- Free. Written by another server process or before a promotion: this data may
                    -- lack the last grant or renewal, whose holder's deadline ends within one lease.
                    WHEN l.server_started IS DISTINCT FROM s.started
                         OR l.server_timeline IS DISTINCT FROM s.timeline THEN 'hold'
                    -- A hold never needs more than one lease from now (the clock may have stepped back).
                    WHEN l.hold_until > s.now + :ttl * interval '1 microsecond' THEN 'hold'
                    WHEN l.hold_until > s.now THEN 'wait'
                    ELSE 'grant'
                END AS outcome,
                -- The timeline first: a promoted standby is another server process as well.
                CASE
                    WHEN l.server_timeline IS DISTINCT FROM s.timeline THEN '(postgres promoted)'
                    WHEN l.server_started IS DISTINCT FROM s.started THEN '(postgres restarted)'
                    ELSE l.hold_reason
                END AS reason
            FROM server s) d)
    RETURNING l.holder IS NOT DISTINCT FROM :token AS granted, l.fencing_token, l.holder,
              coalesce(l.holder_id, substr(l.holder, strpos(l.holder, ':') + 1), l.hold_reason, '(unknown)') AS holder_id,
              CASE WHEN l.holder IS NOT NULL THEN l.expires_at ELSE l.hold_until END AS until
)
SELECT lease.granted, lease.fencing_token, lease.holder_id,
       greatest(0, floor(extract(epoch FROM lease.until - clock_timestamp()) * 1000000))::bigint AS remaining_micros,
       CASE WHEN lease.granted
            THEN pg_notify(:channel, 'granted ' || :election || ' ' || lease.fencing_token || ' ' || :instance) END
FROM lease
