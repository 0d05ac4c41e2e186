-- confirm-email: consumes a one-time email confirmation token and activates the subscription's email.
-- A token whose subscription is gone or now has another email is consumed too and answers
-- confirmation-superseded (410). The rate-limit token is the subscribing student's, derived from the prefix.
-- KEYS: 1 email-confirmation hash sw:v1:email-confirmation:{sha256 hex of the token}
-- ARGV: 1 key prefix, 2 rate, 3 burst
-- Returns {classId, studentId, email} | {err: confirmation-not-found | confirmation-superseded | rate-limited}
local prefix = ARGV[1]
local t = redis.call('HMGET', KEYS[1], 'studentId', 'classId', 'email')
if not t[1] then return fail('confirmation-not-found') end
local studentId, classId, email = t[1], t[2], t[3]
local sub = prefix .. 'subscription:' .. studentId .. ':' .. classId
local current = redis.call('HGET', sub, 'email')
if not current or string.lower(current) ~= string.lower(email) then
  redis.call('DEL', KEYS[1])
  return fail('confirmation-superseded')
end

local nowStr, nowNum = clock()
local wait = take_token(prefix .. 'rate:' .. studentId, tonumber(ARGV[2]), tonumber(ARGV[3]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

redis.call('DEL', KEYS[1])
redis.call('HSET', sub, 'emailStatus', 'ACTIVE', 'updatedAt', nowStr)
return cjson.encode({classId = classId, studentId = studentId, email = current})
