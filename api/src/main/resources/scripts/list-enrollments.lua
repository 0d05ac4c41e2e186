-- list-enrollments: one page of enrolled students in enrollment order.
-- KEYS: the class key set (lib.lua). ARGV: 1 cursor (last enrollment seq returned, '' = start), 2 limit
-- Returns {instructorId, items[{studentId, at, v, seq}], next?} | {err: class-not-found}
local K = class_keys()
local instructorId = redis.call('HGET', K.class, 'instructorId')
if not instructorId then return fail('class-not-found') end
local limit = tonumber(ARGV[2])
local from = ARGV[1] == '' and '-inf' or '(' .. ARGV[1]
local page = redis.call('ZRANGE', K.enrolled, from, '+inf', 'BYSCORE', 'LIMIT', 0, limit + 1, 'WITHSCORES')
local items = {}
for i = 1, math.min(#page, limit * 2), 2 do
  local e = cjson.decode(redis.call('HGET', K.enrollments, page[i]))
  items[#items + 1] = {studentId = page[i], at = e.at, v = e.v, seq = page[i + 1]}
end
local next = nil
if #page > limit * 2 then next = items[#items].seq end
return cjson.encode({instructorId = instructorId, items = items, next = next})
