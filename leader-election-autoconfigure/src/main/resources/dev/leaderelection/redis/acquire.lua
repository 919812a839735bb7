-- Takes the lease if it is free or already ours, and hands out the next fencing token.
-- KEYS[1] lease key, KEYS[2] epoch key; ARGV[1] our token, ARGV[2] lease duration in ms.
-- Returns {1, fencingToken} when granted, {0, holderToken, holderPttl} when held by another.
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {0, holder, redis.call('PTTL', KEYS[1])}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
-- Fencing tokens never go below the server's clock in microseconds, so they keep increasing
-- even when the store restarts empty and the epoch counter is lost.
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
local epoch = redis.call('INCR', KEYS[2])
if epoch <= floor then
  epoch = floor + 1
  redis.call('SET', KEYS[2], string.format('%d', epoch))
end
return {1, epoch}
