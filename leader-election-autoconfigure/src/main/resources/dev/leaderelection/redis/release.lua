-- Frees the lease, only while it is ours, and wakes the waiting instances.
-- KEYS[1] lease key; ARGV[1] our token, ARGV[2] the election's release channel. Returns 1 or 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0
