-- Reads who holds the lease now. An election held back by the restart guard reads as free.
-- Parameters: :election. Returns the holder and its remaining microseconds, or no row.
SELECT holder, greatest(0, floor(extract(epoch FROM expires_at - clock_timestamp()) * 1000000))::bigint AS remaining_micros
FROM leader_election_lease
WHERE election = :election AND holder IS NOT NULL AND expires_at > clock_timestamp()
