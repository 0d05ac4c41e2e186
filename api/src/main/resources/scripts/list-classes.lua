-- list-classes: one page of the catalog in (department, courseCode, section) order.
-- KEYS: 1 classes zset, 2 catalog hash
-- ARGV: 1 key prefix, 2 cursor (the last sortKey already returned, '' = from the start), 3 limit,
--   4 '1' = only classes open to joins (not frozen, a seat or waitlist place left), 5 scan budget:
--   at most this many classes are examined per page, so a filtered page may be short but still
--   carries a cursor, 6 precondition against the catalog's validator (see not_modified in lib.lua)
-- Returns {items[], next?, catalogVersion, catalogChangedAt} | {notModified, catalogVersion, catalogChangedAt}
local prefix, limit, availableOnly, budget = ARGV[1], tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[5])
local catalog = redis.call('HMGET', KEYS[2], 'version', 'changedAt')
local catalogVersion, catalogChangedAt = catalog[1] or '0', catalog[2] or '0'
if not_modified(ARGV[6], catalogVersion .. '.' .. catalogChangedAt, catalogChangedAt) then
  return cjson.encode({notModified = true, catalogVersion = catalogVersion, catalogChangedAt = catalogChangedAt})
end
local items, scanned, last, more = {}, 0, nil, false
local start = ARGV[2] == '' and '-' or '(' .. ARGV[2]
while not more do
  local batch = redis.call('ZRANGE', KEYS[1], start, '+', 'BYLEX', 'LIMIT', 0, 100)
  if #batch == 0 then break end
  for _, sortKey in ipairs(batch) do
    if #items == limit or scanned == budget then more = true; break end
    scanned = scanned + 1
    last = sortKey
    local id = string.match(sortKey, '([^\031]+)$')
    local base = prefix .. 'class:' .. id
    local c = read_class({class = base, enrolled = base .. ':enrolled', waitlist = base .. ':waitlist'})
    if c and (not availableOnly or (c.frozen == '0' and
        (tonumber(c.enrolledCount) < tonumber(c.capacity) or tonumber(c.waitlistCount) < tonumber(c.waitlistCapacity)))) then
      items[#items + 1] = c
    end
  end
  start = '(' .. batch[#batch]
end
return cjson.encode({items = items, next = more and last or nil,
    catalogVersion = catalogVersion, catalogChangedAt = catalogChangedAt})
