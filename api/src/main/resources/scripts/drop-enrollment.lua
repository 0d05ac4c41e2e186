-- drop-enrollment: drops an enrolled student, records who dropped them and why, then promotes the
-- waitlist head into the freed seat unless the class is frozen.
-- KEYS: the class key set (lib.lua)
-- ARGV: 1 key prefix, 2 classId, 3 studentId, 4 callerId, 5 caller role flags (S/I/R),
--   6 If-Match tags (against the enrollment's tag "version.enrolledAt"), 7 event nonce, 8 traceparent,
--   9 rate, 10 burst
-- Returns {reason, promoted[]} | {err: class-not-found | forbidden | enrollment-not-found
--   | precondition-failed | rate-limited}
local K = class_keys()
local prefix, classId, studentId, callerId, roles = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', K.class) == 0 then return fail('class-not-found') end
if not may_act_for(K, roles, callerId, studentId) then return fail('forbidden') end
local enrollment = redis.call('HGET', K.enrollments, studentId)
if not enrollment then return fail('enrollment-not-found') end
local e = cjson.decode(enrollment)
if if_match_fails(ARGV[6], e.v .. '.' .. e.at) then return fail('precondition-failed') end

local nowStr, nowNum = clock()
local wait = take_token(K.rate, tonumber(ARGV[9]), tonumber(ARGV[10]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

-- The reason names the capacity the caller acted in, preferring the narrowest one.
local reason = 'REGISTRAR'
if has_role(roles, 'S') and callerId == studentId then
  reason = 'STUDENT'
elseif has_role(roles, 'I') and redis.call('HGET', K.class, 'instructorId') == callerId then
  reason = 'INSTRUCTOR'
end

redis.call('ZREM', K.enrolled, studentId)
redis.call('HDEL', K.enrollments, studentId)
redis.call('XADD', K.drops, '*', 'studentId', studentId, 'droppedAt', nowStr, 'droppedBy', callerId, 'reason', reason)
next_version(K)
local promoted = promote(K, {prefix = prefix, classId = classId, nowStr = nowStr, nonce = ARGV[7],
    traceparent = ARGV[8], cause = reason .. '_DROP'})
record_change(K, classId, nowStr, 'dropped')
return cjson.encode({reason = reason, promoted = promoted})
