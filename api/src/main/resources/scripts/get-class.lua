-- get-class: one class with its counts, in one round trip.
-- KEYS: the class key set (lib.lua). ARGV: none.
-- Returns {class} | {err: class-not-found}
local c = read_class(class_keys())
if not c then return fail('class-not-found') end
return cjson.encode({class = c})
