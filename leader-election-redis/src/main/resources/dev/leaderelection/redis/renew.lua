-- Renews a batch of leases: every renewal a JVM has due at one tick goes in one call. For each
-- election i (0-based) of the batch: KEYS[3i+1] lease key, KEYS[3i+2] term key, KEYS[3i+3]
-- candidates key; ARGV[3i+2] our token, ARGV[3i+3] lease duration in ms, ARGV[3i+4] the
-- election's channel. ARGV[1] is '1' to announce on the channels as shard channels (SPUBLISH,
-- Redis Cluster 7+), else '0'. Returns one 1 (renewed) or 0 (not ours) per election, in order.
-- A lease is extended only while its key holds our token; the term key follows it. The caller is
-- listed as a candidate until two leases from now either way; the holder also forgets the
-- candidates whose time is up and keeps the candidates key alive.
-- When the lease key holds another token, publishes 'held:<instanceId>' of that token on the
-- channel: a write without a grant announcement (an operator's SET) would otherwise stay unknown
-- to the followers that know the holder from the announcements and poll with PTTL alone.
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local sharded = ARGV[1] == '1'

local function renew(lease, term, candidates, token, ttl, channel)
  local instance = string.match(token, '^[^:]*:(.*)$') or token
  local listed_for = 2 * tonumber(ttl)
  redis.call('ZADD', candidates, now_ms + listed_for, ttl .. ':' .. instance)
  local holder = redis.call('GET', lease)
  if holder == token then
    redis.call('ZREMRANGEBYSCORE', candidates, '-inf', now_ms)
    redis.call('PEXPIRE', candidates, listed_for)
    redis.call('SET', term, token, 'PX', ttl)
    return redis.call('PEXPIRE', lease, ttl)
  end
  if holder then
    local announcement = 'held:' .. (string.match(holder, '^[^:]*:(.*)$') or holder)
    -- A server without sharded pub/sub (before Redis 7) refuses SPUBLISH: announce the classic way.
    if not sharded or type(redis.pcall('SPUBLISH', channel, announcement)) == 'table' then
      redis.call('PUBLISH', channel, announcement)
    end
  end
  return 0
end

-- An election whose keys Redis refuses (a key of the wrong type) fails alone, answered by the
-- error's text instead of 1 or 0: the other renewals of the batch still count.
local renewed = {}
for i = 0, #KEYS / 3 - 1 do
  local ok, result = pcall(renew, KEYS[3 * i + 1], KEYS[3 * i + 2], KEYS[3 * i + 3],
    ARGV[3 * i + 2], ARGV[3 * i + 3], ARGV[3 * i + 4])
  if ok then
    renewed[i + 1] = result
  else
    renewed[i + 1] = type(result) == 'table' and (result.err or 'error') or tostring(result)
  end
end
return renewed
