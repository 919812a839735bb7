-- Takes the lease if it is free or already ours, and hands out the next fencing token; announces
-- the caller as a candidate, whatever the answer, and a grant on the election's channel.
-- KEYS[1] lease key, KEYS[2] term key, KEYS[3] epoch key, KEYS[4] server key, KEYS[5] candidates
-- key; ARGV[1] our token, ARGV[2] lease duration in whole ms, ARGV[3] '1' to hold back grants while
-- this server may lack the last grant or renewal (the restart guard), else '0', ARGV[4] the
-- election's channel, ARGV[5] '1' to announce on it as a shard channel (SPUBLISH, Redis Cluster 7+:
-- sent to the slot's own nodes, not the whole cluster bus), else '0' or absent.
-- Publishes 'granted:<fencingToken>:<instanceId>' on ARGV[4] when granted.
-- Returns {1, fencingToken} when granted; {0, holder, pttl} when held by another, or by the restart
-- guard for pttl more ms (holder '(redis restarted)' when the server has no epoch for the
-- election, else '(redis failed over)'); an error reply, with the lease and term unwritten, when
-- the guard cannot identify the server or the epoch key holds no integer.
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local instance = string.match(ARGV[1], '^[^:]*:(.*)$') or ARGV[1]

-- Lists the caller as a candidate until two leases from now, in the call it makes anyway: a
-- follower sends no request of its own for it, and Redis counts two commands more (TIME, ZADD).
-- The holder forgets the candidates whose time is up, when granted and on each renewal.
local listed_for = 2 * tonumber(ARGV[2])
redis.call('ZADD', KEYS[5], now_ms + listed_for, ARGV[2] .. ':' .. instance)

local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {0, holder, redis.call('PTTL', KEYS[1])}
end
-- The term key outlives a DEL or eviction of the lease key: its holder may still believe it leads.
local term = redis.call('GET', KEYS[2])
if term and term ~= ARGV[1] then
  return {0, term, redis.call('PTTL', KEYS[2])}
end

-- One INFO section, or an error table. Tests replace this function to feed other servers' replies.
local function info(section)
  return redis.pcall('INFO', section)
end

-- Which server process answers, and since which promotion: run_id is new on every start,
-- master_replid on every start and every promotion (a replica reports its primary's). A server
-- without run_id (DragonFly) is known by master_replid alone. Returns the fields, or nil and why.
local function identity()
  local server, replication = info('server'), info('replication')
  for _, reply in ipairs({server, replication}) do
    if type(reply) ~= 'string' then
      return nil, type(reply) == 'table' and reply.err or 'no reply'
    end
  end
  local id = {run_id = string.match(server, '\nrun_id:(%x+)'),
              replid = string.match(replication, '\nmaster_replid:(%x+)')}
  if not id.run_id and not id.replid then
    return nil, 'no run_id in INFO server and no master_replid in INFO replication'
  end
  return id
end

if ARGV[3] == '1' and not holder and not term then
  -- The lease is free. Does this server lack a grant or renewal that a leader still counts on?
  local id, problem = identity()
  if not id then
    return redis.error_reply('ERR the restart guard needs INFO server and INFO replication (' .. problem
        .. '); allow INFO or set leader.election.redis.restart-guard=false')
  end
  local lease = tonumber(ARGV[2])
  -- The server key names the process (and promotion) that last found the lease free, and the end
  -- of the hold that began then, if one did.
  local recorded = redis.call('HMGET', KEYS[4], 'run_id', 'replid', 'until')
  local hold_until
  if (recorded[1] or nil) ~= id.run_id or (recorded[2] or nil) ~= id.replid then
    -- Written by another process or before a promotion, or not recorded here at all (an empty
    -- restart, a replica that missed the election's first grant, a new election): this data may
    -- lack the last grant or renewal. That write ran before this server took over, so the
    -- leader's deadline ends within one lease from now. This one hold also covers an empty start.
    hold_until = now_ms + lease
    redis.call('DEL', KEYS[4])
    redis.call('HSET', KEYS[4], 'until', string.format('%d', hold_until))
    if id.run_id then redis.call('HSET', KEYS[4], 'run_id', id.run_id) end
    if id.replid then redis.call('HSET', KEYS[4], 'replid', id.replid) end
  elseif recorded[3] then
    hold_until = tonumber(recorded[3])
    if not hold_until or hold_until - now_ms > lease then
      -- A hold never needs more than one lease from now: the clock stepped back, or it was garbled.
      hold_until = now_ms + lease
      redis.call('HSET', KEYS[4], 'until', string.format('%d', hold_until))
    elseif hold_until <= now_ms then
      hold_until = nil
      redis.call('HDEL', KEYS[4], 'until')
    end
  end
  if hold_until then
    local reason = redis.call('EXISTS', KEYS[3]) == 1 and '(redis failed over)' or '(redis restarted)'
    return {0, reason, hold_until - now_ms}
  end
end
-- The fencing token first, so that a counter that cannot count leaves no lease behind.
-- Tokens never go below the server's clock in microseconds, so they keep increasing even when
-- the store restarts empty and the counter is lost.
local epoch = redis.pcall('INCR', KEYS[3])
if type(epoch) == 'table' then
  return redis.error_reply('ERR the fencing counter ' .. KEYS[3] .. ' cannot count (' .. epoch.err
      .. '); no lease was granted. Set it to the last fencing token handed out, or delete it: tokens'
      .. ' then restart from the Redis clock in microseconds')
end
local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
if epoch <= floor then
  epoch = floor + 1
  redis.call('SET', KEYS[3], string.format('%d', epoch))
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now_ms)
redis.call('PEXPIRE', KEYS[5], listed_for)
local announcement = 'granted:' .. string.format('%d', epoch) .. ':' .. instance
-- A server without sharded pub/sub (before Redis 7) refuses SPUBLISH: announce the classic way.
-- pcall, since an error here would leave the lease granted behind an error reply.
if ARGV[5] ~= '1' or type(redis.pcall('SPUBLISH', ARGV[4], announcement)) == 'table' then
  redis.call('PUBLISH', ARGV[4], announcement)
end
return {1, epoch}
