-- enroll: enrolls a student, or waitlists them when the class is full.
-- KEYS: the class key set (lib.lua), then 11 the student's waitlists set  sw:v1:student:{id}:waitlists
-- ARGV: 1 classId, 2 studentId, 3 max waitlists per student, 4 rate, 5 burst
-- Returns {status: ENROLLED, enrolledAt, version} | {status: WAITLISTED, position, joinedAt, version}
--   | {err: class-not-found | class-frozen | already-enrolled | already-waitlisted | waitlist-full
--   | waitlist-limit | rate-limited}
local K = class_keys()
local classId, studentId = ARGV[1], ARGV[2]
local cls = redis.call('HMGET', K.class, 'capacity', 'waitlistCapacity', 'frozen')
if not cls[1] then return fail('class-not-found') end
if cls[3] == '1' then return fail('class-frozen') end
if redis.call('ZSCORE', K.enrolled, studentId) then return fail('already-enrolled') end
if redis.call('ZSCORE', K.waitlist, studentId) then return fail('already-waitlisted') end

local seatFree = redis.call('ZCARD', K.enrolled) < tonumber(cls[1])
if not seatFree then
  if redis.call('ZCARD', K.waitlist) >= tonumber(cls[2]) then return fail('waitlist-full') end
  if redis.call('SCARD', KEYS[11]) >= tonumber(ARGV[3]) then return fail('waitlist-limit') end
end

local nowStr, nowNum = clock()
local wait = take_token(K.rate, tonumber(ARGV[4]), tonumber(ARGV[5]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

local version = next_version(K)
local result
if seatFree then
  add_enrollment(K, studentId, nowStr, version)
  result = {status = 'ENROLLED', enrolledAt = nowStr, version = tostring(version)}
else
  local seq = redis.call('HINCRBY', K.class, 'waitSeq', 1)
  redis.call('ZADD', K.waitlist, seq, studentId)
  redis.call('HSET', K.waitlistJoined, studentId, nowStr)
  redis.call('SADD', KEYS[11], classId)
  result = {status = 'WAITLISTED', joinedAt = nowStr, position = redis.call('ZRANK', K.waitlist, studentId) + 1}
end
record_change(K, classId, nowStr, 'enrolled')
result.version = tostring(version)
result.changedAt = nowStr
return cjson.encode(result)
