-- relay-fetch: the next outbox entries for the lease holder to publish: first entries that another (or
-- this) relay read but did not get confirmed for longer than the reclaim idle time (XAUTOCLAIM), then
-- new ones (XREADGROUP). Entries stay pending until relay-ack or relay-fail settles them.
-- KEYS: 1 outbox stream, 2 lease string
-- ARGV: 1 consumer group, 2 this relay's owner id (also its consumer name), 3 max entries,
--   4 reclaim idle time in ms
-- Returns {entries: [{id, f: {field: value}}]} | {err: not-leader}
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return fail('not-leader') end
local group, me, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
redis.pcall('XGROUP', 'CREATE', KEYS[1], group, '0', 'MKSTREAM')

local entries = {}
local function add(list)
  for _, e in ipairs(list) do
    if e[2] then
      local f = {}
      for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
      entries[#entries + 1] = {id = e[1], f = f}
    end
  end
end

local claimed = redis.call('XAUTOCLAIM', KEYS[1], group, me, ARGV[4], '0-0', 'COUNT', count)
add(claimed[2])
-- Entries deleted while pending come back as ids only: settle them.
if claimed[3] and #claimed[3] > 0 then redis.call('XACK', KEYS[1], group, unpack(claimed[3])) end

if #entries < count then
  local fresh = redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', count - #entries, 'STREAMS', KEYS[1], '>')
  if fresh then add(fresh[1][2]) end
end
return cjson.encode({entries = entries})
