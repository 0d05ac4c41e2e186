-- relay-fail: counts a publish the broker refused (nack, or returned as unroutable). Below the limit
-- the entry stays pending and is reclaimed later; at the limit it moves to the dead-entry stream.
-- Broker outages are not counted (the relay backs off instead), so an outage of any length loses nothing.
-- KEYS: 1 outbox stream, 2 failures hash, 3 dead-entry stream  sw:v1:outbox:dead
-- ARGV: 1 consumer group, 2 entry id, 3 attempts allowed, 4 reason
-- Returns {attempts, dead: bool}
local attempts = redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if attempts < tonumber(ARGV[3]) then return cjson.encode({attempts = attempts, dead = false}) end
local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #entry == 1 then
  local f = entry[1][2]
  f[#f + 1] = 'outboxId'; f[#f + 1] = ARGV[2]
  f[#f + 1] = 'attempts'; f[#f + 1] = tostring(attempts)
  f[#f + 1] = 'lastError'; f[#f + 1] = ARGV[4]
  redis.call('XADD', KEYS[3], '*', unpack(f))
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
return cjson.encode({attempts = attempts, dead = true})
