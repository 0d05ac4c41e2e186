-- replay-delivery: asks notifier-webhook for one more attempt of a delivery, with the same webhook-id and
-- body: flags the delivery (replay = 1) and makes it due now in the schedule the notifier claims from. A
-- replay ignores the done marker and is not retried; a delivery still being retried is tried now and its
-- schedule goes on. Capped per subscription per hour (a fixed window from the first replay of the hour).
-- KEYS: 1 subscription hash   sw:v1:subscription:{studentId}:{classId}
--       2 delivery hash       sw:v1:webhook:delivery:{eventId}
--       3 due zset            sw:v1:webhook:due
--       4 replay counter      sw:v1:webhook:replays:{studentId}:{classId}
--       5 the caller's rate-limit hash
-- ARGV: 1 studentId, 2 classId, 3 eventId, 4 replays allowed per hour, 5 rate, 6 burst
-- Returns {eventId, status, replayRequestedAt}
--   | {err: subscription-not-found | webhook-not-found | delivery-not-found | webhook-disabled
--          | replay-limit (retryAfter) | rate-limited (retryAfter)}
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('subscription-not-found') end
local sub = redis.call('HMGET', KEYS[1], 'webhookUrl', 'webhookStatus')
if not sub[1] then return fail('webhook-not-found') end
local d = redis.call('HMGET', KEYS[2], 'studentId', 'classId', 'status')
if d[1] ~= ARGV[1] or d[2] ~= ARGV[2] then return fail('delivery-not-found') end
if sub[2] == 'DISABLED' then return fail('webhook-disabled') end

local used = tonumber(redis.call('GET', KEYS[4]) or '0')
if used >= tonumber(ARGV[4]) then
  return fail('replay-limit', {retryAfter = math.max(1, math.ceil(redis.call('PTTL', KEYS[4]) / 1000)),
      limit = tonumber(ARGV[4])})
end
local nowStr, nowNum = clock()
local wait = take_token(KEYS[5], tonumber(ARGV[5]), tonumber(ARGV[6]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

if redis.call('INCR', KEYS[4]) == 1 then redis.call('PEXPIRE', KEYS[4], 3600000) end
redis.call('HSET', KEYS[2], 'replay', '1', 'replayRequestedAt', nowStr)
redis.call('HINCRBY', KEYS[2], 'replays', 1)
redis.call('ZADD', KEYS[3], nowNum, ARGV[3])
return cjson.encode({eventId = ARGV[3], status = d[3], replayRequestedAt = nowStr})
