-- update-class: changes instructor, capacity, waitlist capacity or the freeze; unfreezing or raising
-- the capacity promotes waitlisted students into the open seats.
-- KEYS: the class key set (lib.lua)
-- ARGV: 1 key prefix, 2 classId, 3 instructorId, 4 capacity, 5 waitlistCapacity, 6 frozen ('0'/'1')
--   (3-6: '' = unchanged), 7 If-Match tags ('' | '*' | tags), 8 event nonce, 9 traceparent, 10 rate, 11 burst
-- Returns {class, promoted[]} | {err: class-not-found | precondition-failed | capacity-below-enrolled
--   | waitlist-capacity-below-waitlisted | rate-limited}
local K = class_keys()
local classId = ARGV[2]
local cur = redis.call('HMGET', K.class, 'instructorId', 'capacity', 'waitlistCapacity', 'frozen')
if not cur[1] then return fail('class-not-found') end
if if_match_fails(ARGV[7], class_tag(K)) then return fail('precondition-failed') end

local capacity = ARGV[4] ~= '' and tonumber(ARGV[4]) or tonumber(cur[2])
local waitlistCapacity = ARGV[5] ~= '' and tonumber(ARGV[5]) or tonumber(cur[3])
local enrolled = redis.call('ZCARD', K.enrolled)
local waitlisted = redis.call('ZCARD', K.waitlist)
if capacity < enrolled then
  return fail('capacity-below-enrolled', {enrolledCount = enrolled})
end
if waitlistCapacity < waitlisted then
  return fail('waitlist-capacity-below-waitlisted', {waitlistCount = waitlisted})
end

local nowStr, nowNum = clock()
local wait = take_token(K.rate, tonumber(ARGV[10]), tonumber(ARGV[11]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

local changed = false
local function set(field, value, current)
  if value ~= '' and value ~= current then
    redis.call('HSET', K.class, field, value)
    changed = true
  end
end
set('instructorId', ARGV[3], cur[1])
set('capacity', ARGV[4] ~= '' and tostring(capacity) or '', cur[2])
set('waitlistCapacity', ARGV[5] ~= '' and tostring(waitlistCapacity) or '', cur[3])
set('frozen', ARGV[6], cur[4])

local promoted = {}
if changed then
  next_version(K)
  local unfrozen = cur[4] == '1' and ARGV[6] == '0'
  local raised = capacity > tonumber(cur[2])
  if unfrozen or raised then
    promoted = promote(K, {prefix = ARGV[1], classId = classId, nowStr = nowStr, nonce = ARGV[8],
        traceparent = ARGV[9], cause = unfrozen and 'UNFREEZE' or 'CAPACITY_INCREASE'})
  end
  record_change(K, classId, nowStr, 'updated')
end
return cjson.encode({class = read_class(K), promoted = promoted})
