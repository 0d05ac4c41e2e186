-- list-subscriptions: one page of a student's subscriptions in classId order. Never returns secrets.
-- KEYS: 1 the student's subscriptions zset  sw:v1:student:{studentId}:subscriptions
-- ARGV: 1 key prefix, 2 studentId, 3 cursor (the last classId returned, '' = from the start), 4 limit
-- Returns {items[{classId, email?, emailStatus?, webhookUrl?, webhookStatus?}], next?}
local prefix, studentId, limit = ARGV[1], ARGV[2], tonumber(ARGV[4])
local from = ARGV[3] == '' and '-' or '(' .. ARGV[3]
local page = redis.call('ZRANGE', KEYS[1], from, '+', 'BYLEX', 'LIMIT', 0, limit + 1)
local items = {}
for i = 1, math.min(#page, limit) do
  local classId = page[i]
  local s = redis.call('HMGET', prefix .. 'subscription:' .. studentId .. ':' .. classId,
      'email', 'emailStatus', 'webhookUrl', 'webhookStatus')
  items[#items + 1] = {classId = classId, email = s[1] or nil, emailStatus = s[2] or nil,
      webhookUrl = s[3] or nil, webhookStatus = s[4] or nil}
end
local next = nil
if #page > limit then next = page[limit] end
return cjson.encode({items = items, next = next})
