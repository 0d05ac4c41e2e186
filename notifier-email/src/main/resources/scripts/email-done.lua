-- The email was accepted by the SMTP server: write the done marker, then give up our lease.
-- KEYS[1] done marker, KEYS[2] sending lease; ARGV[1] claim token, ARGV[2] done TTL (ms).
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
