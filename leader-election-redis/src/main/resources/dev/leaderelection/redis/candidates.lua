-- Lists the candidates of an election: the instances whose last acquire or renew was at most two
-- of its leases ago, on the server's clock.
-- Also lists the instances whose presence channel someone subscribes to now (a follower that polls
-- lightly announces itself so, on its pub/sub link), seen now.
-- KEYS[1] candidates key; ARGV[1] the prefix of the election's presence channels (no glob
-- characters in it). Returns {instanceId, lastSeenMs, ...}, lastSeen in server time (ms).
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local listed = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now_ms, '+inf', 'WITHSCORES')
local candidates = {}
for i = 1, #listed, 2 do
  local lease, instance = string.match(listed[i], '^(%d+):(.*)$')
  if lease then
    candidates[#candidates + 1] = instance
    candidates[#candidates + 1] = tonumber(listed[i + 1]) - 2 * tonumber(lease)
  end
end
local present = redis.call('PUBSUB', 'CHANNELS', ARGV[1] .. '*')
for _, channel in ipairs(present) do
  candidates[#candidates + 1] = string.sub(channel, #ARGV[1] + 1)
  candidates[#candidates + 1] = now_ms
end
return candidates
