-- list-deliveries: one page of a subscription's webhook deliveries, newest first, each with its attempts
-- (oldest first). notifier-webhook writes them (docs/redis-keys.md, "Webhook deliveries"); they expire
-- after its log TTL (30 days); their index entries are removed here. Replica names in the attempts (by) are
-- internal and left out.
-- KEYS: 1 subscription hash   sw:v1:subscription:{studentId}:{classId}
--       2 delivery index      sw:v1:webhook:deliveries:{studentId}:{classId}
-- ARGV: 1 key prefix, 2 cursor (the last index member returned, '' = from the newest), 3 limit
-- Returns {items[{eventId, type, status, createdAt, updatedAt, nextAttemptAt?, attempts[]}], next?}
--   | {err: subscription-not-found}
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('subscription-not-found') end
local prefix, limit = ARGV[1], tonumber(ARGV[3])
local from = ARGV[2] == '' and '+' or '(' .. ARGV[2]
local items, last, more = {}, nil, false
-- Index entries whose delivery has expired are dropped on the way, so a page is full whenever it can be.
while not more do
  local want = limit - #items + 1
  local page = redis.call('ZRANGE', KEYS[2], from, '-', 'BYLEX', 'REV', 'LIMIT', 0, want)
  for _, member in ipairs(page) do
    if #items == limit then
      more = true
      break
    end
    local eventId = string.match(member, ':(.+)$')
    local delivery = prefix .. 'webhook:delivery:' .. eventId
    local d = redis.call('HMGET', delivery, 'type', 'status', 'createdAt', 'updatedAt', 'nextAttemptAt')
    if d[2] then
      local attempts = {}
      for _, raw in ipairs(redis.call('LRANGE', delivery .. ':attempts', 0, -1)) do
        local a = cjson.decode(raw)
        a.by = nil
        attempts[#attempts + 1] = a
      end
      items[#items + 1] = {eventId = eventId, type = d[1] or nil, status = d[2], createdAt = d[3] or nil,
          updatedAt = d[4] or nil, nextAttemptAt = d[5] or nil, attempts = attempts}
      last = member
    else
      redis.call('ZREM', KEYS[2], member)
    end
    from = '(' .. member
  end
  if #page < want then break end
end
return cjson.encode({items = items, next = more and last or nil})
