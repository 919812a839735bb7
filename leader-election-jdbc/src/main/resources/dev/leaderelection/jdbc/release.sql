-- Frees the lease, only while the caller's token holds it, and wakes the waiting instances.
-- Parameters: :election, :token, :channel. Returns a row when it freed the lease, none otherwise.
WITH released AS (
    UPDATE leader_election_lease
    SET holder = NULL, holder_id = NULL, expires_at = NULL
    WHERE election = :election AND holder = :token AND expires_at > clock_timestamp()
    RETURNING election
)
SELECT r.election, pg_notify(:channel, 'released ' || r.election) FROM released r
