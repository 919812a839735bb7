-- Extends the lease, only while the lease key holds our token; the term key follows it. Lists the
-- caller as a candidate until two leases from now either way; the holder also forgets the
-- candidates whose time is up and keeps the candidates key alive.
-- KEYS[1] lease key, KEYS[2] term key, KEYS[3] candidates key; ARGV[1] our token, ARGV[2] lease
-- duration in ms, ARGV[3] the election's channel (optional), ARGV[4] '1' to announce on it as a
-- shard channel (SPUBLISH, Redis Cluster 7+), else '0' or absent. Returns 1 or 0.
-- When the lease key holds another token, publishes 'held:<instanceId>' of that token on ARGV[3]:
-- a write without a grant announcement (an operator's SET) would otherwise stay unknown to the
-- followers that know the holder from the announcements and poll with PTTL alone.
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local instance = string.match(ARGV[1], '^[^:]*:(.*)$') or ARGV[1]
local listed_for = 2 * tonumber(ARGV[2])
redis.call('ZADD', KEYS[3], now_ms + listed_for, ARGV[2] .. ':' .. instance)

local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now_ms)
  redis.call('PEXPIRE', KEYS[3], listed_for)
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if holder and ARGV[3] then
  local announcement = 'held:' .. (string.match(holder, '^[^:]*:(.*)$') or holder)
  -- A server without sharded pub/sub (before Redis 7) refuses SPUBLISH: announce the classic way.
  if ARGV[4] ~= '1' or type(redis.pcall('SPUBLISH', ARGV[3], announcement)) == 'table' then
    redis.call('PUBLISH', ARGV[3], announcement)
  end
end
return 0
