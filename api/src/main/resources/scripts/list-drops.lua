-- list-drops: one page of the class's drop history, oldest first.
-- KEYS: the class key set (lib.lua). ARGV: 1 cursor (last stream id returned, '' = start), 2 limit
-- Returns {instructorId, items[{id, studentId, droppedAt, droppedBy, reason}], next?} | {err: class-not-found}
local K = class_keys()
local instructorId = redis.call('HGET', K.class, 'instructorId')
if not instructorId then return fail('class-not-found') end
local limit = tonumber(ARGV[2])
local from = ARGV[1] == '' and '-' or '(' .. ARGV[1]
local page = redis.call('XRANGE', K.drops, from, '+', 'COUNT', limit + 1)
local items = {}
for i = 1, math.min(#page, limit) do
  local item = {id = page[i][1]}
  local f = page[i][2]
  for j = 1, #f, 2 do item[f[j]] = f[j + 1] end
  items[#items + 1] = item
end
local next = nil
if #page > limit then next = items[#items].id end
return cjson.encode({instructorId = instructorId, items = items, next = next})
