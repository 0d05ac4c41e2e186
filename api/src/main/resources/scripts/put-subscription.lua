-- put-subscription: creates or replaces a student's subscription to a class. PUT semantics: a channel
-- absent from the request is removed. An email equal to the caller's token claim is ACTIVE at once, as is
-- an unchanged (case-insensitive) ACTIVE email; any other email is PENDING, and this script stores the
-- prepared one-time confirmation token (only its SHA-256, in KEYS[13], with a TTL) and XADDs an
-- EmailConfirmationRequested entry to the outbox. A webhook URL (re)sets webhookStatus ACTIVE; the
-- prepared encrypted signing secret is stored only when the subscription had no webhook before (a URL
-- change keeps the secret); removing the webhook removes its secrets. Does not touch the class version:
-- subscriptions are not part of the class representation.
-- KEYS: the class key set (lib.lua; the rate-limit hash is the caller's), then
--   11 subscription hash            sw:v1:subscription:{studentId}:{classId}
--   12 student's subscriptions zset  sw:v1:student:{studentId}:subscriptions
--   13 email-confirmation hash       sw:v1:email-confirmation:{sha256 hex of the prepared token}
-- ARGV: 1 classId, 2 studentId, 3 email ('' = none), 4 '1' when the email equals the token's email claim,
--   5 webhookUrl ('' = none), 6 a new signing secret, encrypted (base64 iv||ciphertext||tag),
--   7 confirmationUrl carrying the prepared token, 8 confirmation TTL in ms, 9 event nonce, 10 traceparent,
--   11 rate, 12 burst
-- Returns {created, email?, emailStatus?, webhookUrl?, webhookStatus?, secretCreated, confirmationRequested}
--   | {err: class-not-found | rate-limited}
local K = class_keys()
local sub, mine, tokenKey = KEYS[11], KEYS[12], KEYS[13]
local classId, studentId, email, claimMatches, webhookUrl = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1', ARGV[5]
local cls = redis.call('HMGET', K.class, 'department', 'courseCode', 'section', 'title')
if not cls[1] then return fail('class-not-found') end

local nowStr, nowNum = clock()
local wait = take_token(K.rate, tonumber(ARGV[11]), tonumber(ARGV[12]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

local old = redis.call('HMGET', sub, 'email', 'emailStatus', 'webhookSecret')
local created = redis.call('EXISTS', sub) == 0
local result = {created = created, secretCreated = false, confirmationRequested = false}

if email == '' then
  redis.call('HDEL', sub, 'email', 'emailStatus')
else
  local status = 'PENDING'
  if claimMatches or (old[1] and old[2] == 'ACTIVE' and string.lower(old[1]) == string.lower(email)) then
    status = 'ACTIVE'
  else
    local ttl = tonumber(ARGV[8])
    local expiresAt = string.format('%.0f', nowNum + ttl * 1000)
    redis.call('HSET', tokenKey, 'studentId', studentId, 'classId', classId, 'email', email, 'expiresAt', expiresAt)
    redis.call('PEXPIRE', tokenKey, ttl)
    local entry = {
      'type', 'EmailConfirmationRequested', 'eventId', event_id(ARGV[9], 1), 'occurredAt', nowStr,
      'studentId', studentId, 'classId', classId, 'department', cls[1], 'courseCode', cls[2],
      'section', cls[3], 'title', cls[4], 'email', email, 'confirmationUrl', ARGV[7], 'expiresAt', expiresAt
    }
    if ARGV[10] ~= '' then
      entry[#entry + 1] = 'traceparent'; entry[#entry + 1] = ARGV[10]
    end
    redis.call('XADD', K.outbox, '*', unpack(entry))
    result.confirmationRequested = true
  end
  redis.call('HSET', sub, 'email', email, 'emailStatus', status)
  result.email = email
  result.emailStatus = status
end

if webhookUrl == '' then
  redis.call('HDEL', sub, 'webhookUrl', 'webhookStatus', 'webhookSecret', 'webhookSecretPrevious',
      'webhookSecretPreviousUntil')
else
  redis.call('HSET', sub, 'webhookUrl', webhookUrl, 'webhookStatus', 'ACTIVE')
  if not old[3] then
    redis.call('HSET', sub, 'webhookSecret', ARGV[6])
    redis.call('HDEL', sub, 'webhookSecretPrevious', 'webhookSecretPreviousUntil')
    result.secretCreated = true
  end
  result.webhookUrl = webhookUrl
  result.webhookStatus = 'ACTIVE'
end

redis.call('HSET', sub, 'studentId', studentId, 'classId', classId, 'updatedAt', nowStr)
if created then redis.call('HSET', sub, 'createdAt', nowStr) end
redis.call('SADD', K.subscribers, studentId)
redis.call('ZADD', mine, 0, classId)
return cjson.encode(result)
