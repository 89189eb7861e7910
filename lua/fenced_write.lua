-- fenced_write.lua: a fencing-aware resource. Accepts a write only if its fencing token is greater than the
-- highest token it has accepted, so a holder whose lease expired (a stale token) cannot overwrite the work
-- of a newer holder.
-- KEYS[1] = the resource (e.g. "lh:<run>:resource:{r7}"): a string holding the highest accepted token
-- ARGV[1] = the writer's fencing token (from acquire_lock.lua)
-- Returns 1 = accepted, 0 = rejected as stale (token <= highest accepted).
local token = tonumber(ARGV[1])
local highest = tonumber(redis.call('GET', KEYS[1]) or '0')
if token > highest then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1 -- Accepted
else
  return 0 -- Stale token: rejected
end
