-- cas.lua: compare-and-swap, the seed's step 2: update only if the current value matches the expected one.
-- KEYS[1] = key to update
-- ARGV[1] = expected current value
-- ARGV[2] = new value
-- Returns 1 = updated, 0 = the value changed since it was read (or the key is missing: GET gives false,
-- which never equals a string).
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1 -- Updated
else
  return 0 -- Value changed since read
end
