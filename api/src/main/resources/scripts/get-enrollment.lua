-- get-enrollment: a student's enrollment in a class, with what the caller's access check needs.
-- KEYS: the class key set (lib.lua). ARGV: 1 studentId
-- Returns {instructorId, enrollment?: {at, v}} | {err: class-not-found}
local K = class_keys()
local instructorId = redis.call('HGET', K.class, 'instructorId')
if not instructorId then return fail('class-not-found') end
local e = redis.call('HGET', K.enrollments, ARGV[1])
return cjson.encode({instructorId = instructorId, enrollment = e and cjson.decode(e) or nil})
