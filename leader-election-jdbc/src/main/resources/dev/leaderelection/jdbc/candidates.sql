-- The instances that called acquire or renew within two of their leases. Parameters: :election.
SELECT instance, last_seen
FROM leader_election_lease_candidates
WHERE election = :election AND expires_at > clock_timestamp()
