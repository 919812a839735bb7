-- Frees the lease and the term, each only while it is ours, and wakes the waiting instances.
-- KEYS[1] lease key, KEYS[2] term key; ARGV[1] our token, ARGV[2] the election's channel, ARGV[3]
-- '1' to announce on it as a shard channel (SPUBLISH, Redis Cluster 7+), else '0' or absent.
-- Publishes 'released' on ARGV[2] when it freed either key. Returns 1 if it did, else 0.
local freed = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    freed = 1
  end
end
if freed == 1 then
  if ARGV[3] ~= '1' or type(redis.pcall('SPUBLISH', ARGV[2], 'released')) == 'table' then
    redis.call('PUBLISH', ARGV[2], 'released')
  end
end
return freed
