-- The attempt failed: give the lease up, if it is still ours, so the next attempt can claim at once.
-- KEYS[1] sending lease; ARGV[1] claim token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
