-- Takes the lease if it is free or already ours, and hands out the next fencing token.
-- KEYS[1] lease key, KEYS[2] term key, KEYS[3] epoch key, KEYS[4] server key; ARGV[1] our token,
-- ARGV[2] lease duration in ms, ARGV[3] '1' to hold back grants after Redis restarted or failed over
-- (the restart guard), else '0'.
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
if ARGV[3] == '1' and not holder and not term then
  -- The lease is free. Did this server process lose writes that a leader still counts on?
  local info = redis.pcall('INFO', 'server')
  local uptime = type(info) == 'string' and tonumber(string.match(info, 'uptime_in_seconds:(%d+)'))
  local run_id = type(info) == 'string' and string.match(info, '\nrun_id:(%x+)')
  if not uptime or not run_id then
    local reason = type(info) == 'table' and info.err or 'no uptime_in_seconds or run_id in it'
    return redis.error_reply('ERR the restart guard needs INFO server (' .. reason
        .. '); allow INFO or set leader.election.redis.restart-guard=false')
  end
  local lease = tonumber(ARGV[2])
  local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  -- The server key names the server process (run_id, new on every start, and another on a replica)
  -- that last granted, and the end of a hold that began when another process was found there.
  local recorded = redis.call('HMGET', KEYS[4], 'run_id', 'until')
  if recorded[1] ~= run_id then
    if recorded[1] then
      -- The election's data was written by another process: this one is a promoted replica, or
      -- restarted from a snapshot or AOF, and may lack the last grant or renewal. That renewal was
      -- executed by the other process before this one took over, so the leader's deadline ends
      -- within one lease from now.
      redis.call('HSET', KEYS[4], 'run_id', run_id, 'until', string.format('%d', now_ms + lease))
      return {0, '(redis failed over)', lease}
    end
    -- Nothing recorded: the election's first grant, or data from before the server key existed.
    redis.call('HSET', KEYS[4], 'run_id', run_id)
  elseif recorded[2] then
    local wait = tonumber(recorded[2]) - now_ms
    if wait > 0 then
      return {0, '(redis failed over)', wait}
    end
    redis.call('HDEL', KEYS[4], 'until')
  end
  if redis.call('EXISTS', KEYS[3]) == 0 then
    -- No epoch: the election's first start, or Redis lost its data. A leader from before a restart
    -- sent its last renewal before the restart, so its deadline ends within one lease of the start.
    -- uptime_in_seconds floors both the start and now, so it may run up to 1 s ahead: add 1 s.
    local needed = math.ceil(lease / 1000) + 1
    if uptime < needed then
      local wait = (needed - uptime) * 1000 - math.floor(tonumber(now[2]) / 1000)
      return {0, '(redis restarted)', math.max(wait, 1)}
    end
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
