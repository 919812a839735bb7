-- Extends the lease, only while it is ours.
-- KEYS[1] lease key; ARGV[1] our token, ARGV[2] lease duration in ms. Returns 1 or 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
