-- lib.lua: helpers prepended to every script by io.seatwatch.api.redis.LuaScripts, so that each
-- operation stays one atomic script while the rules it shares (versions, promotion, rate limit) are
-- written once.
--
-- Conventions
-- * Every script returns one JSON document (cjson): {"err": "<code>", ...} or a result object.
-- * Microsecond times travel as decimal strings: cjson and Lua's tostring print numbers with %.14g,
--   which would round a 16-digit microsecond value.
-- * Class-scoped scripts receive "the class key set" as KEYS[1..10], in this order:
--     1 class hash            sw:v1:class:{id}
--     2 enrolled zset         sw:v1:class:{id}:enrolled          member student, score enrollment seq
--     3 enrollments hash      sw:v1:class:{id}:enrollments       student -> {"at": micros, "v": version}
--     4 waitlist zset         sw:v1:class:{id}:waitlist          member student, score join seq
--     5 waitlist-joined hash  sw:v1:class:{id}:waitlist-joined   student -> micros
--     6 drops stream          sw:v1:class:{id}:drops
--     7 subscribers set       sw:v1:class:{id}:subscribers
--     8 catalog hash          sw:v1:catalog                      version, changedAt
--     9 outbox stream         sw:v1:outbox
--    10 rate-limit hash       sw:v1:rate:{userId}                 tokens, ts
--   Student-scoped keys of students found inside the script (a promoted student's waitlist set, a
--   subscription) are derived from the key prefix: Seatwatch supports one Redis primary, not Cluster.

local function class_keys()
  return {
    class = KEYS[1], enrolled = KEYS[2], enrollments = KEYS[3], waitlist = KEYS[4],
    waitlistJoined = KEYS[5], drops = KEYS[6], subscribers = KEYS[7], catalog = KEYS[8],
    outbox = KEYS[9], rate = KEYS[10], channel = KEYS[1] .. ':changes'
  }
end

local function fail(code, extra)
  local t = extra or {}
  t.err = code
  return cjson.encode(t)
end

-- Redis TIME in microseconds: the exact decimal string and a number for arithmetic (< 2^53).
local function clock()
  local t = redis.call('TIME')
  local s = t[1] .. string.format('%06d', tonumber(t[2]))
  return s, tonumber(s)
end

-- Token bucket per user, refilled continuously at `rate` tokens/s up to `burst`.
-- Returns 0 when a token was taken, otherwise the whole seconds to wait. rate <= 0 disables it.
local function take_token(key, rate, burst, nowStr, nowNum)
  if rate <= 0 then return 0 end
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens, ts = tonumber(state[1]), tonumber(state[2])
  if tokens == nil or ts == nil then tokens, ts = burst, nowNum end
  tokens = math.min(burst, tokens + math.max(0, nowNum - ts) / 1e6 * rate)
  if tokens < 1 then
    return math.max(1, math.ceil((1 - tokens) / rate))
  end
  redis.call('HSET', key, 'tokens', tostring(tokens - 1), 'ts', nowStr)
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
  return 0
end

-- Roles arrive as a string of flags: S student, I instructor, R registrar.
local function has_role(flags, r) return string.find(flags, r, 1, true) ~= nil end

-- May the caller act on this student's enrollment or waitlist entry in this class?
local function may_act_for(K, flags, callerId, studentId)
  if has_role(flags, 'R') then return true end
  if has_role(flags, 'S') and callerId == studentId then return true end
  return has_role(flags, 'I') and redis.call('HGET', K.class, 'instructorId') == callerId
end

-- If-Match: '' (absent), '*' (any current representation) or space-separated opaque tags,
-- compared strongly with the current tag.
local function if_match_fails(ifMatch, currentTag)
  if ifMatch == '' or ifMatch == '*' then return false end
  for tag in string.gmatch(ifMatch, '%S+') do
    if tag == currentTag then return false end
  end
  return true
end

-- Conditional GET, decided where the validator is read (one round trip; no body read for a 304).
-- cond: '' none, '*' any current representation, 't:<tag> <tag>...' If-None-Match tags (weak comparison:
-- W/ already stripped), 's:<seconds>' If-Modified-Since. Evaluated per RFC 9110 by the caller's choice of cond.
-- Last-Modified is the first whole second after the change, so 's:' holds only for a change made before that
-- second began: a date in the same second as a change (a client's copy of our Date, say) never hides it.
local function not_modified(cond, tag, changedAt)
  if cond == nil or cond == '' then return false end
  if cond == '*' then return true end
  local kind, rest = string.sub(cond, 1, 2), string.sub(cond, 3)
  if kind == 't:' then
    for t in string.gmatch(rest, '%S+') do
      if t == tag then return true end
    end
    return false
  end
  if kind == 's:' then
    return math.floor(tonumber(changedAt) / 1e6) < tonumber(rest)
  end
  return false
end

local function class_tag(K)
  local c = redis.call('HMGET', K.class, 'version', 'changedAt')
  return c[1] .. '.' .. c[2]
end

local function next_version(K)
  return redis.call('HINCRBY', K.class, 'version', 1)
end

-- Records that the class changed now: change time, catalog version, and the PUBLISH that live
-- position streams wake on.
-- extra: optional fields for the message (who left, and who made them).
local function record_change(K, classId, nowStr, kind, extra)
  redis.call('HSET', K.class, 'changedAt', nowStr)
  redis.call('HINCRBY', K.catalog, 'version', 1)
  redis.call('HSET', K.catalog, 'changedAt', nowStr)
  local message = extra or {}
  message.classId = classId
  message.kind = kind
  message.version = redis.call('HGET', K.class, 'version') or '0'
  message.changedAt = nowStr
  redis.call('PUBLISH', K.channel, cjson.encode(message))
end

local function add_enrollment(K, studentId, nowStr, version)
  local seq = redis.call('HINCRBY', K.class, 'enrollSeq', 1)
  redis.call('ZADD', K.enrolled, seq, studentId)
  redis.call('HSET', K.enrollments, studentId, cjson.encode({at = nowStr, v = tostring(version)}))
end

-- A name-based (version 5 layout) UUID from the request's random nonce and an index: unique per
-- event without relying on Redis counters, which a crash could repeat.
local function event_id(nonce, n)
  local h = redis.sha1hex(nonce .. ':' .. n)
  local variant = string.format('%x', 8 + (tonumber(string.sub(h, 17, 17), 16) % 4))
  return string.sub(h, 1, 8) .. '-' .. string.sub(h, 9, 12) .. '-5' .. string.sub(h, 14, 16) .. '-'
      .. variant .. string.sub(h, 18, 20) .. '-' .. string.sub(h, 21, 32)
end

-- Fills open seats from the head of the waitlist unless the class is frozen. Each promoted student
-- gets a version of its own (the event's sequence) and exactly one EnrollmentPromoted outbox entry,
-- carrying the subscription channels the student has for this class right now.
-- C = {prefix, classId, nowStr, nonce, traceparent, cause}. Returns the promoted student ids.
local function promote(K, C)
  local cls = redis.call('HMGET', K.class, 'capacity', 'frozen', 'department', 'courseCode', 'section', 'title')
  local promoted = {}
  if cls[2] == '1' then return promoted end
  local open = tonumber(cls[1]) - redis.call('ZCARD', K.enrolled)
  while open > 0 do
    local head = redis.call('ZPOPMIN', K.waitlist, 1)
    if #head == 0 then break end
    local studentId = head[1]
    redis.call('HDEL', K.waitlistJoined, studentId)
    redis.call('SREM', C.prefix .. 'student:' .. studentId .. ':waitlists', C.classId)
    local version = next_version(K)
    add_enrollment(K, studentId, C.nowStr, version)
    open = open - 1
    promoted[#promoted + 1] = studentId
    local entry = {
      'type', 'EnrollmentPromoted', 'eventId', event_id(C.nonce, #promoted), 'sequence', tostring(version),
      'occurredAt', C.nowStr, 'classId', C.classId, 'department', cls[3], 'courseCode', cls[4],
      'section', cls[5], 'title', cls[6], 'studentId', studentId, 'cause', C.cause
    }
    local sub = redis.call('HMGET', C.prefix .. 'subscription:' .. studentId .. ':' .. C.classId,
        'email', 'emailStatus', 'webhookUrl')
    if sub[1] and sub[2] == 'ACTIVE' then
      entry[#entry + 1] = 'email'; entry[#entry + 1] = sub[1]
    end
    if sub[3] then
      entry[#entry + 1] = 'webhookUrl'; entry[#entry + 1] = sub[3]
    end
    if C.traceparent ~= '' then
      entry[#entry + 1] = 'traceparent'; entry[#entry + 1] = C.traceparent
    end
    redis.call('XADD', K.outbox, '*', unpack(entry))
  end
  return promoted
end

-- The class as the API shows it; every value a string (see the conventions above).
local function read_class(K)
  local h = redis.call('HGETALL', K.class)
  if #h == 0 then return nil end
  local c = {}
  for i = 1, #h, 2 do c[h[i]] = h[i + 1] end
  c.enrolledCount = tostring(redis.call('ZCARD', K.enrolled))
  c.waitlistCount = tostring(redis.call('ZCARD', K.waitlist))
  return c
end
