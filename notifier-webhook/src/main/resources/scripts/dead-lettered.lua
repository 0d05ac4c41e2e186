-- dead-lettered: the dead-letter message of a delivery is out; it leaves the schedule (unless a replay was
-- asked for meanwhile) and its lease is released.
-- KEYS: 1 delivery hash, 2 due zset, 3 sending lease
-- ARGV: 1 eventId, 2 owner
-- Returns {status}
local nowStr, nowNum = now_micros()
redis.call('HDEL', KEYS[1], 'deadLetter')
redis.call('HSET', KEYS[1], 'updatedAt', nowStr)
if redis.call('HGET', KEYS[1], 'replay') == '1' then
  redis.call('ZADD', KEYS[2], nowNum, ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
release(KEYS[3], ARGV[2])
return cjson.encode({status = redis.call('HGET', KEYS[1], 'status')})
