-- lib.lua of notifier-webhook: prepended to each of its scripts by DeliveryStore. The conventions are the
-- api's (api/src/main/resources/scripts/lib.lua): every script returns one JSON document (cjson), times
-- are Redis TIME in microseconds carried as decimal strings, and keys of records found inside a script are
-- derived from the key prefix (one Redis primary, not Cluster). Key names: docs/redis-keys.md, "Webhook
-- deliveries"; io.seatwatch.webhooks.DeliveryKeys names the same keys in Java.

local function now_micros()
  local t = redis.call('TIME')
  local s = t[1] .. string.format('%06d', tonumber(t[2]))
  return s, tonumber(s)
end

local function micros(n)
  return string.format('%.0f', n)
end

-- Appends one entry to a delivery's attempt log (newest 100 kept) and keeps the delivery, its log and the
-- subscription's index for the log TTL from now.
local function log_attempt(deliveryKey, indexKey, entry, ttlMs)
  local attemptsKey = deliveryKey .. ':attempts'
  redis.call('RPUSH', attemptsKey, cjson.encode(entry))
  redis.call('LTRIM', attemptsKey, -100, -1)
  redis.call('PEXPIRE', attemptsKey, ttlMs)
  redis.call('PEXPIRE', deliveryKey, ttlMs)
  if indexKey then redis.call('PEXPIRE', indexKey, ttlMs) end
end

-- Releases the sending lease if this replica still holds it.
local function release(leaseKey, owner)
  if redis.call('GET', leaseKey) == owner then redis.call('DEL', leaseKey) end
end
