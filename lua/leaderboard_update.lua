-- leaderboard_update.lua: update a member's score only if the new one is higher.
-- (Redis 6.2+ does this natively with `ZADD key GT CH score member`: prefer it when you can; the harness runs
-- both as variants.)
-- KEYS[1] = the leaderboard's sorted set
-- ARGV[1] = member
-- ARGV[2] = submitted score (a number)
-- Returns 1 = updated (new member, or higher than its current score), 0 = not higher: unchanged.
local score = tonumber(ARGV[2])
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if current == false or score > tonumber(current) then
  redis.call('ZADD', KEYS[1], score, ARGV[1])
  return 1
else
  return 0
end
