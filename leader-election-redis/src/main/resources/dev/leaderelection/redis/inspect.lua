-- Reads who keeps others out: the lease's holder, else the holder of a term that outlived it.
-- KEYS[1] lease key, KEYS[2] term key. Returns {} when both are free, {holderToken, pttl} otherwise.
for _, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder then
    return {holder, redis.call('PTTL', key)}
  end
end
return {}
