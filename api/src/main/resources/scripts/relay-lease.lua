-- relay-lease: takes or renews the outbox relay lease. One api replica relays at a time; a standby
-- takes over when the holder stops renewing.
-- KEYS: 1 lease string  sw:v1:outbox:relay-lease
-- ARGV: 1 this relay's owner id, 2 lease time-to-live in ms, 3 '1' = release instead (only if held)
-- Returns {held: bool, holder}
local holder = redis.call('GET', KEYS[1])
if ARGV[3] == '1' then
  if holder == ARGV[1] then redis.call('DEL', KEYS[1]) end
  return cjson.encode({held = false, holder = ''})
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return cjson.encode({held = true, holder = holder})
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return cjson.encode({held = true, holder = ARGV[1]})
end
return cjson.encode({held = false, holder = holder})
