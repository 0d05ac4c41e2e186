-- create-class: adds a class section to the catalog.
-- KEYS: the class key set (lib.lua) of the new id, then
--   11 class-keys hash  sw:v1:class-keys   uniqueKey (department/courseCode/section, case-folded) -> class id
--   12 classes zset     sw:v1:classes      member sortKey (score 0): the catalog's order, and its cursor
-- ARGV: 1 classId, 2 department, 3 courseCode, 4 section, 5 title, 6 instructorId, 7 capacity,
--   8 waitlistCapacity, 9 uniqueKey, 10 sortKey, 11 rate, 12 burst
-- Returns {class} | {err: class-exists, existingClassId} | {err: id-collision} | {err: rate-limited, retryAfter}
local K = class_keys()
local existing = redis.call('HGET', KEYS[11], ARGV[9])
if existing then return fail('class-exists', {existingClassId = existing}) end
if redis.call('EXISTS', K.class) == 1 then return fail('id-collision') end

local nowStr, nowNum = clock()
local wait = take_token(K.rate, tonumber(ARGV[11]), tonumber(ARGV[12]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

redis.call('HSET', K.class, 'id', ARGV[1], 'department', ARGV[2], 'courseCode', ARGV[3], 'section', ARGV[4],
    'title', ARGV[5], 'instructorId', ARGV[6], 'capacity', ARGV[7], 'waitlistCapacity', ARGV[8],
    'frozen', '0', 'createdAt', nowStr, 'uniqueKey', ARGV[9], 'sortKey', ARGV[10], 'enrollSeq', 0, 'waitSeq', 0)
next_version(K)
redis.call('HSET', KEYS[11], ARGV[9], ARGV[1])
redis.call('ZADD', KEYS[12], 0, ARGV[10])
record_change(K, ARGV[1], nowStr, 'created')
return cjson.encode({class = read_class(K)})
