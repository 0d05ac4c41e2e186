-- get-class: one class with its counts, in one round trip; only its validator when that is not modified.
-- KEYS: the class key set (lib.lua). ARGV: 1 precondition (see not_modified in lib.lua)
-- Returns {class} | {notModified, version, changedAt} | {err: class-not-found}
local K = class_keys()
local v = redis.call('HMGET', K.class, 'version', 'changedAt')
if not v[1] then return fail('class-not-found') end
if not_modified(ARGV[1], v[1] .. '.' .. v[2], v[2]) then
  return cjson.encode({notModified = true, version = v[1], changedAt = v[2]})
end
return cjson.encode({class = read_class(K)})
