-- rotate-webhook-secret: replaces a subscription's webhook signing secret. The current secret becomes the
-- previous one, valid (signatures carry both) until now + the grace period; a previous secret from an
-- earlier rotation is dropped: at most two secrets sign at once.
-- KEYS: 1 subscription hash sw:v1:subscription:{studentId}:{classId}, 2 the caller's rate-limit hash
-- ARGV: 1 the new secret, encrypted (base64 iv||ciphertext||tag), 2 grace period in ms, 3 rate, 4 burst
-- Returns {previousSecretValidUntil} | {err: subscription-not-found | webhook-not-found | rate-limited}
if redis.call('EXISTS', KEYS[1]) == 0 then return fail('subscription-not-found') end
local current = redis.call('HGET', KEYS[1], 'webhookSecret')
if not current then return fail('webhook-not-found') end

local nowStr, nowNum = clock()
local wait = take_token(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), nowStr, nowNum)
if wait > 0 then return fail('rate-limited', {retryAfter = wait}) end

local validUntil = string.format('%.0f', nowNum + tonumber(ARGV[2]) * 1000)
redis.call('HSET', KEYS[1], 'webhookSecret', ARGV[1], 'webhookSecretPrevious', current,
    'webhookSecretPreviousUntil', validUntil, 'updatedAt', nowStr)
return cjson.encode({previousSecretValidUntil = validUntil})
