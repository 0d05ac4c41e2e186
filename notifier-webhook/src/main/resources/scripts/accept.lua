-- accept: takes an EnrollmentPromoted event into the webhook schedule before its message is acked: the
-- delivery hash (the exact body every attempt and replay sends, and the event for the dead-letter
-- destination), an entry in the subscription's delivery index, and a due time of now. Idempotent: for a
-- redelivered message (the delivery exists, or the event already reached this URL) nothing changes.
-- KEYS: 1 delivery hash   sw:v1:webhook:delivery:{eventId}
--       2 due zset        sw:v1:webhook:due
--       3 index zset      sw:v1:webhook:deliveries:{studentId}:{classId}
--       4 done marker     sw:v1:webhook:done:{eventId}:{sha1(webhookUrl)}
-- ARGV: 1 eventId, 2 studentId, 3 classId, 4 webhookUrl of the event, 5 body, 6 event JSON, 7 log TTL ms,
--   8 webhook type (enrollment.promoted)
-- Returns {accepted: true, dueAt} | {accepted: false, status}
local delivery, due, index, done = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local eventId, ttl = ARGV[1], tonumber(ARGV[7])
if redis.call('EXISTS', delivery) == 1 then
  return cjson.encode({accepted = false, status = redis.call('HGET', delivery, 'status')})
end
if redis.call('EXISTS', done) == 1 then
  return cjson.encode({accepted = false, status = 'DELIVERED'})
end

local nowStr, nowNum = now_micros()
redis.call('HSET', delivery, 'eventId', eventId, 'studentId', ARGV[2], 'classId', ARGV[3], 'url', ARGV[4],
    'type', ARGV[8], 'body', ARGV[5], 'event', ARGV[6], 'status', 'PENDING', 'attempts', 0, 'autoAttempts', 0,
    'createdAt', nowStr, 'updatedAt', nowStr, 'nextAttemptAt', nowStr)
redis.call('PEXPIRE', delivery, ttl)
redis.call('ZADD', due, nowNum, eventId)
-- The index is ordered by createdAt (16-digit micros, so lexicographic = chronological); entries older than
-- the log TTL are pruned here, their deliveries having expired.
redis.call('ZADD', index, 0, nowStr .. ':' .. eventId)
redis.call('ZREMRANGEBYLEX', index, '-', '(' .. micros(nowNum - ttl * 1000))
redis.call('PEXPIRE', index, ttl)
return cjson.encode({accepted = true, dueAt = nowStr})
