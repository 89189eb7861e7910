-- spin.lua: a script of known cost for the capacity tests. It spins until ARGV[1] microseconds of the
-- server's clock (redis.call('TIME')) have passed, so the server can run at most about 1e6 / ARGV[1] calls
-- a second, whatever the client does.
-- KEYS: none
-- ARGV[1] = microseconds to spin
-- Returns 1.
local t = redis.call('TIME')
local start = tonumber(t[1]) * 1000000 + tonumber(t[2])
local spin = tonumber(ARGV[1])
local now = start
while now - start < spin do
  t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
return 1
