-- outbox-stats: what the outbox metrics show, in one round trip.
-- KEYS: 1 outbox stream, 2 dead-entry stream, 3 lease string
-- ARGV: none
-- Returns {length, oldestAgeMillis, dead, leaseHolder}. The age is measured on Redis's clock, the one that
-- stamped the entry id (XADD *), so no other machine's clock skews it.
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local age = 0
if first[1] then
  local t = redis.call('TIME')
  local nowMillis = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local idMillis = tonumber(string.match(first[1][1], '^(%d+)-'))
  age = math.max(0, nowMillis - idMillis)
end
return cjson.encode({length = redis.call('XLEN', KEYS[1]), oldestAgeMillis = age,
    dead = redis.call('XLEN', KEYS[2]), leaseHolder = redis.call('GET', KEYS[3]) or ''})
