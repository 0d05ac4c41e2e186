-- leave-waitlist: removes a student from a class's waitlist; everyone behind moves up by one.
-- KEYS: the class key set (lib.lua), then 11 the student's waitlists set
-- ARGV: 1 classId, 2 studentId, 3 callerId, 4 caller role flags (S/I/R),
--   5 If-Match tags (against the position's tag, the class's "version.changedAt"), 6 rate, 7 burst
-- Returns {left: true} | {err: class-not-found | forbidden | waitlist-entry-not-found
--   | precondition-failed | rate-limited}
local K = class_keys()
local classId, studentId = ARGV[1], ARGV[2]
if redis.call('EXISTS', K.class) == 0 then return fail('class-not-found') end
if not may_act_for(K, ARGV[4], ARGV[3], studentId) then return fail('forbidden') end
if not redis.call('ZSCORE', K.waitlist, studentId) then return fail('waitlist-entry-not-found') end
if if_match_fails(ARGV[5], class_tag(K)) then return fail('precondition-failed') end

local nowStr, nowNum = clock()
local wait = take_token(K.rate, tonumber(ARGV[6]), tonumber(ARGV[7]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

redis.call('ZREM', K.waitlist, studentId)
redis.call('HDEL', K.waitlistJoined, studentId)
redis.call('SREM', KEYS[11], classId)
next_version(K)
record_change(K, classId, nowStr, 'left', {studentId = studentId, by = ARGV[3]})
return cjson.encode({left = true})
