-- delete-class: removes a section with its enrollments, waitlist (freeing each student's waitlist
-- slot), drops and subscriptions. Promotes nobody. O(waitlist + subscribers): a registrar operation.
-- KEYS: the class key set (lib.lua), then 11 class-keys hash, 12 classes zset
-- ARGV: 1 key prefix, 2 classId, 3 If-Match tags, 4 rate, 5 burst
-- Returns {deleted: true} | {err: class-not-found | precondition-failed | rate-limited}
local K = class_keys()
local prefix, classId = ARGV[1], ARGV[2]
local cls = redis.call('HMGET', K.class, 'uniqueKey', 'sortKey')
if not cls[1] then return fail('class-not-found') end
if if_match_fails(ARGV[3], class_tag(K)) then return fail('precondition-failed') end

local nowStr, nowNum = clock()
local wait = take_token(K.rate, tonumber(ARGV[4]), tonumber(ARGV[5]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

for _, studentId in ipairs(redis.call('ZRANGE', K.waitlist, 0, -1)) do
  redis.call('SREM', prefix .. 'student:' .. studentId .. ':waitlists', classId)
end
for _, studentId in ipairs(redis.call('SMEMBERS', K.subscribers)) do
  redis.call('DEL', prefix .. 'subscription:' .. studentId .. ':' .. classId)
  redis.call('ZREM', prefix .. 'student:' .. studentId .. ':subscriptions', classId)
end
redis.call('UNLINK', K.class, K.enrolled, K.enrollments, K.waitlist, K.waitlistJoined, K.drops, K.subscribers)
redis.call('HDEL', KEYS[11], cls[1])
redis.call('ZREM', KEYS[12], cls[2])
redis.call('HINCRBY', K.catalog, 'version', 1)
redis.call('HSET', K.catalog, 'changedAt', nowStr)
redis.call('PUBLISH', K.channel, cjson.encode({classId = classId, kind = 'deleted', changedAt = nowStr}))
return cjson.encode({deleted = true})
