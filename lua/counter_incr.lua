-- counter_incr.lua: read, add 1, write. GET + SET rather than INCR so that the naive twin (GET, then SET
-- v+1 from the client) runs the same logic: the only difference is atomicity.
-- KEYS[1] = counter key (a missing key counts as 0)
-- ARGV: none
-- Returns the new value.
local v = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
redis.call('SET', KEYS[1], v)
return v
