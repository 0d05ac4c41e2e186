-- record: writes the outcome of one attempt: the attempt log entry, the delivery's status and next due time,
-- the done marker after a success, and the subscription's webhookStatus (DISABLED after 410 Gone, FAILING
-- after the last scheduled attempt failed, ACTIVE again after a success while FAILING; only while the
-- subscription still has the URL that was tried).
-- A last failed or refused scheduled attempt leaves deadLetter = 1 and keeps the lease: the caller sends the
-- dead-letter message next and then runs dead-lettered (a replica that dies first leaves it to the next
-- claim). A replay asked for while this attempt ran is made due at once.
-- KEYS: 1 delivery hash, 2 due zset, 3 sending lease, 4 subscription hash, 5 done marker for the URL tried,
--       6 the subscription's delivery index
-- ARGV: 1 eventId, 2 owner, 3 trigger (scheduled | replay), 4 result: SUCCESS | RETRY | EXHAUSTED | FAILURE |
--   GONE | REFUSED (RETRY and EXHAUSTED: a failed scheduled attempt; FAILURE: a failed replay), 5 url tried,
--   6 HTTP status ('' = none), 7 error ('' = none), 8 latency ms, 9 retry delay ms (RETRY), 10 done TTL ms,
--   11 log TTL ms
-- Returns {status, nextAttemptAt?, deadLetter}
local delivery, due, lease, sub, done, index = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local eventId, owner, trigger, result, url = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ttl = tonumber(ARGV[11])
local nowStr, nowNum = now_micros()
local d = redis.call('HMGET', delivery, 'status', 'nextAttemptAt', 'replay')
local status, planned, replayPending = d[1], d[2], d[3] == '1'

local entry = {attempt = tonumber(redis.call('HINCRBY', delivery, 'attempts', 1)), at = nowStr, trigger = trigger,
    url = url, outcome = result, latencyMs = tonumber(ARGV[8]), by = owner}
if ARGV[6] ~= '' then entry.statusCode = tonumber(ARGV[6]) end
if ARGV[7] ~= '' then entry.error = ARGV[7] end
if trigger == 'scheduled' then redis.call('HINCRBY', delivery, 'autoAttempts', 1) end

local function url_is_current()
  return redis.call('HGET', sub, 'webhookUrl') == url
end

local nextAt, deadLetter = nil, false
if result == 'SUCCESS' then
  redis.call('SET', done, '1', 'PX', tonumber(ARGV[10]))
  status = 'DELIVERED'
  if url_is_current() and redis.call('HGET', sub, 'webhookStatus') == 'FAILING' then
    redis.call('HSET', sub, 'webhookStatus', 'ACTIVE')
  end
elseif result == 'GONE' then
  status = 'DISABLED'
  if url_is_current() then redis.call('HSET', sub, 'webhookStatus', 'DISABLED') end
elseif result == 'RETRY' then
  status = 'PENDING'
  nextAt = micros(nowNum + tonumber(ARGV[9]) * 1000)
  entry.outcome = 'FAILURE'
elseif result == 'EXHAUSTED' or (result == 'REFUSED' and trigger == 'scheduled') then
  status = result == 'REFUSED' and 'REFUSED' or 'FAILED'
  deadLetter = true
  if result == 'EXHAUSTED' then
    entry.outcome = 'FAILURE'
    if url_is_current() and redis.call('HGET', sub, 'webhookStatus') == 'ACTIVE' then
      redis.call('HSET', sub, 'webhookStatus', 'FAILING')
    end
  end
else
  -- A failed or refused replay: an automatic schedule still running goes on as planned; otherwise the
  -- delivery is FAILED (or REFUSED) unless an earlier attempt delivered it.
  if status == 'PENDING' and planned then
    nextAt = planned
  elseif status ~= 'DELIVERED' then
    status = result == 'REFUSED' and 'REFUSED' or 'FAILED'
  end
end

redis.call('HSET', delivery, 'status', status, 'updatedAt', nowStr)
if entry.error then redis.call('HSET', delivery, 'lastError', entry.error) end
if nextAt then
  redis.call('HSET', delivery, 'nextAttemptAt', nextAt)
  redis.call('ZADD', due, tonumber(nextAt), eventId)
  entry.nextAttemptAt = nextAt
else
  redis.call('HDEL', delivery, 'nextAttemptAt')
end
if deadLetter then
  -- Stays due (at the end of the lease claim set) until the dead-letter message is out.
  redis.call('HSET', delivery, 'deadLetter', '1')
else
  if replayPending then
    redis.call('ZADD', due, nowNum, eventId)
  elseif not nextAt then
    redis.call('ZREM', due, eventId)
  end
  release(lease, owner)
end
log_attempt(delivery, index, entry, ttl)
return cjson.encode({status = status, nextAttemptAt = nextAt, deadLetter = deadLetter})
