-- Takes the lease if it is free or already ours, and hands out the next fencing token.
-- KEYS[1] lease key, KEYS[2] term key, KEYS[3] epoch key; ARGV[1] our token, ARGV[2] lease duration
-- in ms, ARGV[3] '1' to hold back grants after an empty restart (the restart guard), else '0'.
-- Returns {1, fencingToken} when granted, {0, holder, pttl} when held by another.
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {0, holder, redis.call('PTTL', KEYS[1])}
end
-- The term key outlives a DEL or eviction of the lease key: its holder may still believe it leads.
local term = redis.call('GET', KEYS[2])
if term and term ~= ARGV[1] then
  return {0, term, redis.call('PTTL', KEYS[2])}
end
local now = redis.call('TIME')
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[3]) == 0 then
  -- No epoch: the election's first start, or Redis lost its data. A leader from before a restart
  -- sent its last renewal before the restart, so its deadline ends within one lease of the start.
  -- uptime_in_seconds floors both the start and now, so it may run up to 1 s ahead: add 1 s.
  local info = redis.pcall('INFO', 'server')
  local uptime = type(info) == 'string' and tonumber(string.match(info, 'uptime_in_seconds:(%d+)'))
  if not uptime then
    local reason = type(info) == 'table' and info.err or 'no uptime_in_seconds in it'
    return redis.error_reply('ERR the restart guard needs INFO server (' .. reason
        .. '); allow INFO or set leader.election.redis.restart-guard=false')
  end
  local needed = math.ceil(tonumber(ARGV[2]) / 1000) + 1
  if uptime < needed then
    local wait = (needed - uptime) * 1000 - math.floor(tonumber(now[2]) / 1000)
    return {0, '(redis restarted)', math.max(wait, 1)}
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
-- Fencing tokens never go below the server's clock in microseconds, so they keep increasing
-- even when the store restarts empty and the epoch counter is lost.
local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
local epoch = redis.call('INCR', KEYS[3])
if epoch <= floor then
  epoch = floor + 1
  redis.call('SET', KEYS[3], string.format('%d', epoch))
end
return {1, epoch}
