-- Extends the lease, only while the lease key holds our token; the term key follows it.
-- KEYS[1] lease key, KEYS[2] term key; ARGV[1] our token, ARGV[2] lease duration in ms. Returns 1 or 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
