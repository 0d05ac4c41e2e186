-- list-waitlist: one page of the waitlist in joining order, with 1-based positions.
-- KEYS: the class key set (lib.lua). ARGV: 1 cursor (last join seq returned, '' = start), 2 limit
-- Returns {instructorId, items[{studentId, position, joinedAt, seq}], next?} | {err: class-not-found}
local K = class_keys()
local instructorId = redis.call('HGET', K.class, 'instructorId')
if not instructorId then return fail('class-not-found') end
local limit = tonumber(ARGV[2])
local from = ARGV[1] == '' and '-inf' or '(' .. ARGV[1]
local page = redis.call('ZRANGE', K.waitlist, from, '+inf', 'BYSCORE', 'LIMIT', 0, limit + 1, 'WITHSCORES')
local items = {}
local position = nil
for i = 1, math.min(#page, limit * 2), 2 do
  position = position and position + 1 or redis.call('ZRANK', K.waitlist, page[i]) + 1
  items[#items + 1] = {studentId = page[i], position = position,
      joinedAt = redis.call('HGET', K.waitlistJoined, page[i]), seq = page[i + 1]}
end
local next = nil
if #page > limit * 2 then next = items[#items].seq end
return cjson.encode({instructorId = instructorId, items = items, next = next})
