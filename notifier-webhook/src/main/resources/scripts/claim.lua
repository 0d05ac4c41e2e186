-- claim: hands this replica the deliveries that are due, each under a sending lease, and moves each one's
-- due time to the lease's end, so that a replica that dies mid-attempt leaves it to the others. Each
-- attempt reads the subscription as it is now: a deleted subscription or webhook, or a DISABLED webhook,
-- cancels the delivery; a changed URL is used with the same secret. A delivery that already reached the
-- current URL (done marker) is finished without an attempt, unless a replay asked for one.
-- KEYS: 1 due zset sw:v1:webhook:due
-- ARGV: 1 key prefix, 2 most to claim, 3 lease ms, 4 owner (this replica), 5 log TTL ms
-- Returns {tasks: [{eventId, action: attempt | dead-letter, trigger: scheduled | replay, autoAttempts,
--   status, studentId, classId, url, secret, previousSecret?, previousUntil?, body, event, lastError?}]}
local due, prefix, leaseMs, owner, ttl = KEYS[1], ARGV[1], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local nowStr, nowNum = now_micros()
local tasks = {}
local ids = redis.call('ZRANGEBYSCORE', due, '-inf', nowNum, 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  local delivery = prefix .. 'webhook:delivery:' .. id
  local lease = prefix .. 'webhook:sending:' .. id
  local d = redis.call('HMGET', delivery, 'studentId', 'classId', 'status', 'replay', 'deadLetter', 'autoAttempts',
      'body', 'event', 'lastError')
  if not d[1] then
    redis.call('ZREM', due, id)
  elseif not redis.call('SET', lease, owner, 'NX', 'PX', leaseMs) then
    -- Another replica is sending it: look again when its lease ends.
    redis.call('ZADD', due, nowNum + math.max(redis.call('PTTL', lease), 1) * 1000, id)
  else
    local index = prefix .. 'webhook:deliveries:' .. d[1] .. ':' .. d[2]
    local replay = d[4] == '1'
    local task = {eventId = id, studentId = d[1], classId = d[2], status = d[3], autoAttempts = d[6],
        body = d[7], event = d[8], lastError = d[9] or nil, trigger = replay and 'replay' or 'scheduled'}
    local sub = redis.call('HMGET', prefix .. 'subscription:' .. d[1] .. ':' .. d[2], 'webhookUrl', 'webhookStatus',
        'webhookSecret', 'webhookSecretPrevious', 'webhookSecretPreviousUntil')
    local cancel = nil
    if d[5] == '1' then
      -- The last attempt failed or was refused and the dead-letter message is not out yet.
      task.action = 'dead-letter'
      redis.call('ZADD', due, nowNum + leaseMs * 1000, id)
      tasks[#tasks + 1] = task
    elseif not sub[1] or not sub[3] then
      cancel = 'the subscription or its webhook was removed'
    elseif sub[2] == 'DISABLED' then
      cancel = 'the webhook is DISABLED'
    elseif not replay and redis.call('EXISTS', prefix .. 'webhook:done:' .. id .. ':' .. redis.sha1hex(sub[1])) == 1 then
      cancel = 'done'
    else
      redis.call('ZADD', due, nowNum + leaseMs * 1000, id)
      if replay then redis.call('HDEL', delivery, 'replay') end
      task.action = 'attempt'
      task.url, task.secret = sub[1], sub[3]
      task.previousSecret, task.previousUntil = sub[4] or nil, sub[5] or nil
      tasks[#tasks + 1] = task
    end
    if cancel == 'done' then
      redis.call('HSET', delivery, 'status', 'DELIVERED', 'updatedAt', nowStr)
      redis.call('HDEL', delivery, 'nextAttemptAt')
      redis.call('ZREM', due, id)
      redis.call('DEL', lease)
    elseif cancel then
      local status = d[3] == 'DELIVERED' and 'DELIVERED' or 'CANCELLED'
      redis.call('HSET', delivery, 'status', status, 'updatedAt', nowStr)
      redis.call('HDEL', delivery, 'nextAttemptAt', 'replay')
      redis.call('ZREM', due, id)
      redis.call('DEL', lease)
      log_attempt(delivery, index, {attempt = tonumber(redis.call('HINCRBY', delivery, 'attempts', 1)), at = nowStr,
          trigger = task.trigger, url = sub[1] or nil, outcome = 'CANCELLED', error = cancel, by = owner}, ttl)
    end
  end
end
return cjson.encode({tasks = tasks})
