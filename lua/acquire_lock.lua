-- acquire_lock.lua: a lock with a fencing token, the seed's step 3.
-- KEYS[1] = lock key             (e.g. "lh:<run>:lock:{r7}")
-- KEYS[2] = fencing token counter (e.g. "lh:<run>:fence:{r7}": same hash tag, same cluster slot)
-- ARGV[1] = lock holder id, unique per acquisition (release_lock.lua compares it)
-- ARGV[2] = TTL in milliseconds. The seed uses EX (seconds); the harness uses PX so that leases shorter
--           than a second can be tested. Semantics are otherwise the seed's.
-- Returns the fencing token (a positive integer, increasing with every acquisition) or -1 = not acquired.
local acquired = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', tonumber(ARGV[2]))
if acquired then
  -- Increment fencing token for ordering guarantees
  local token = redis.call('INCR', KEYS[2])
  return token
else
  return -1 -- Lock not acquired
end
