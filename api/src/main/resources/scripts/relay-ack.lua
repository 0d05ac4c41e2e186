-- relay-ack: settles outbox entries whose publish the broker confirmed: acknowledged in the group and
-- deleted from the stream, so the stream's first entry is always the oldest unrelayed one.
-- KEYS: 1 outbox stream, 2 failures hash  sw:v1:outbox:failures
-- ARGV: 1 consumer group, 2.. entry ids
-- Returns {acked: n}
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
if #ids == 0 then return cjson.encode({acked = 0}) end
local n = redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
redis.call('XDEL', KEYS[1], unpack(ids))
redis.call('HDEL', KEYS[2], unpack(ids))
return cjson.encode({acked = n})
