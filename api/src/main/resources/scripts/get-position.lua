-- get-position: a student's place on a class's waitlist and the validator of that answer.
-- KEYS: the class key set (lib.lua). ARGV: 1 studentId
-- Returns {instructorId, version, changedAt, size, position?} | {err: class-not-found}
local K = class_keys()
local c = redis.call('HMGET', K.class, 'instructorId', 'version', 'changedAt')
if not c[1] then return fail('class-not-found') end
local rank = redis.call('ZRANK', K.waitlist, ARGV[1])
return cjson.encode({instructorId = c[1], version = c[2], changedAt = c[3],
    size = redis.call('ZCARD', K.waitlist), position = rank and rank + 1 or nil})
