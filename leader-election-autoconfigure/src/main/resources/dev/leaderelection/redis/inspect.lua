-- Reads the holder and its remaining time. KEYS[1] lease key.
-- Returns {} when free, {holderToken, pttl} when held.
local holder = redis.call('GET', KEYS[1])
if not holder then
  return {}
end
return {holder, redis.call('PTTL', KEYS[1])}
