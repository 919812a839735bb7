-- Runs, as the connected user, every command the election scripts run, on keys and a channel of the
-- store's key prefix, and reports those that ACLs refuse. Probe keys live for a second at most.
-- KEYS[1] a string key, KEYS[2] a hash key, KEYS[3] a sorted-set key, all under the key prefix;
-- ARGV[1] a channel under the key prefix; ARGV[2] '1' when the restart guard is on (it reads INFO).
-- Returns {command, error, command, error, ...}: one pair for each refused call, {} when none is.
local refused = {}
local function try(...)
  local reply = redis.pcall(...)
  if type(reply) == 'table' and reply.err then
    local err = reply.err
    if string.find(err, 'NOPERM', 1, true) or string.find(err, 'user executing the script', 1, true)
        or string.find(err, 'no permissions', 1, true) then
      table.insert(refused, string.lower((...)))
      table.insert(refused, err)
    end
  end
  return reply
end
try('SET', KEYS[1], '0', 'PX', '1000')
try('INCR', KEYS[1])
try('PEXPIRE', KEYS[1], '1000')
try('PTTL', KEYS[1])
try('GET', KEYS[1])
try('EXISTS', KEYS[1])
try('DEL', KEYS[1])
try('HSET', KEYS[2], 'probe', '0')
try('HMGET', KEYS[2], 'probe')
try('HDEL', KEYS[2], 'probe')
try('ZADD', KEYS[3], '0', 'probe')
try('ZRANGEBYSCORE', KEYS[3], '-inf', '+inf')
try('ZREMRANGEBYSCORE', KEYS[3], '-inf', '+inf')
redis.pcall('DEL', KEYS[2], KEYS[3])
try('TIME')
if ARGV[2] == '1' then
  try('INFO', 'server')
  try('INFO', 'replication')
end
try('PUBLISH', ARGV[1], 'probe')
try('PUBSUB', 'CHANNELS', ARGV[1])
return refused
