-- delete-subscription: removes a student's subscription to a class with its secrets. Confirmation
-- tokens still outstanding for it answer 410 afterwards (confirm-email), until they expire.
-- KEYS: 1 subscription hash sw:v1:subscription:{studentId}:{classId},
--   2 student's subscriptions zset sw:v1:student:{studentId}:subscriptions,
--   3 class subscribers set sw:v1:class:{classId}:subscribers, 4 the caller's rate-limit hash
-- ARGV: 1 classId, 2 studentId, 3 rate, 4 burst
-- Returns {deleted: true} | {err: subscription-not-found | rate-limited}
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('subscription-not-found') end

local nowStr, nowNum = clock()
local wait = take_token(KEYS[4], tonumber(ARGV[3]), tonumber(ARGV[4]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
return cjson.encode({deleted = true})
