-- get-position: a student's place on a class's waitlist and the validator of that answer (the class's
-- version and change time: every change that can move a position changes it). When the precondition
-- holds, only the validator is read.
-- KEYS: the class key set (lib.lua). ARGV: 1 studentId, 2 precondition (see not_modified in lib.lua)
-- Returns {instructorId, version, changedAt, waitlisted, enrolled, size?, position?, notModified?}
--   | {err: class-not-found}
local K = class_keys()
local c = redis.call('HMGET', K.class, 'instructorId', 'version', 'changedAt')
if not c[1] then return fail('class-not-found') end
local waitlisted = redis.call('ZSCORE', K.waitlist, ARGV[1]) ~= false
local r = {instructorId = c[1], version = c[2], changedAt = c[3], waitlisted = waitlisted}
if waitlisted and not_modified(ARGV[2], c[2] .. '.' .. c[3], c[3]) then
  r.notModified = true
  return cjson.encode(r)
end
r.enrolled = redis.call('HEXISTS', K.enrollments, ARGV[1]) == 1
if waitlisted then
  r.position = redis.call('ZRANK', K.waitlist, ARGV[1]) + 1
  r.size = redis.call('ZCARD', K.waitlist)
end
return cjson.encode(r)
