-- get-enrollment: a student's enrollment in a class, with what the caller's access check needs.
-- KEYS: the class key set (lib.lua). ARGV: 1 studentId, 2 precondition (see not_modified in lib.lua)
-- Returns {instructorId, enrollment?: {at, v}, notModified?} | {err: class-not-found}
local K = class_keys()
local instructorId = redis.call('HGET', K.class, 'instructorId')
if not instructorId then return fail('class-not-found') end
local e = redis.call('HGET', K.enrollments, ARGV[1])
if not e then return cjson.encode({instructorId = instructorId}) end
local enrollment = cjson.decode(e)
return cjson.encode({instructorId = instructorId, enrollment = enrollment,
    notModified = not_modified(ARGV[2], enrollment.v .. '.' .. enrollment.at, enrollment.at)})
