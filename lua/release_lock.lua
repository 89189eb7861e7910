-- release_lock.lua: compare-and-delete. Deletes the lock only if it still holds this holder's id, so a
-- holder whose lease expired cannot delete the lock someone else acquired since.
-- KEYS[1] = lock key
-- ARGV[1] = lock holder id (the value acquire_lock.lua stored)
-- Returns 1 = released, 0 = not ours any more (expired, or taken by another holder): nothing deleted.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
else
  return 0
end
