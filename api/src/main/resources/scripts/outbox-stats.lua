-- outbox-stats: what the outbox metrics show, in one round trip.
-- KEYS: 1 outbox stream, 2 dead-entry stream, 3 lease string
-- ARGV: none
-- Returns {length, oldestId, dead, leaseHolder}
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
return cjson.encode({length = redis.call('XLEN', KEYS[1]), oldestId = first[1] and first[1][1] or '',
    dead = redis.call('XLEN', KEYS[2]), leaseHolder = redis.call('GET', KEYS[3]) or ''})
