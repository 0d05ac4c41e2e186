-- Claim the right to send one email (eventId, address).
-- KEYS[1] done marker, KEYS[2] sending lease; ARGV[1] claim token, ARGV[2] lease TTL (ms).
-- Returns {'done', 0} when it was sent already, {'claimed', 0} when the lease is now ours,
-- {'busy', pttl} when another claimer holds a live lease (pttl: its remaining ms).
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'done', 0}
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {'claimed', 0}
end
return {'busy', redis.call('PTTL', KEYS[2])}
