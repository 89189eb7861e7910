-- rate_limit.lua: sliding-window rate limiter on a sorted set (the seed's step 1, client clock).
-- KEYS[1] = the limiter's sorted set, one per limited subject (e.g. "lh:<run>:rl:{k3}")
-- ARGV[1] = window size in seconds (a fraction is fine: "0.5" = 500 ms)
-- ARGV[2] = max requests per window
-- ARGV[3] = current timestamp in ms, from the caller's clock
-- ARGV[4] = request id, unique per request (the harness sends "client:op:random"); optional: without it the
--           member is the seed's `now .. ':' .. math.random(1000000)`, so the seed's 3-argument call still works
-- Returns 1 = allowed, 0 = rate limited,
--         2 = allowed, but the ZSET member already existed, so this request was not counted (a collision).
--
-- Why ARGV[4] and not math.random: the seed names the member `now .. ':' .. math.random(1000000)`. Two requests
-- stamped in the same millisecond that draw the same number share one member, ZADD only updates it, and the
-- window undercounts: the limiter then admits more than the limit. Before Redis 7 the script PRNG was reseeded
-- identically for every call, so every request of one millisecond drew the same number and always collided.
-- A request id from the caller cannot collide; return 2 makes a collision visible instead of silent.
local key = KEYS[1]
local window = tonumber(ARGV[1]) * 1000
local limit = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
-- Remove entries outside the window
redis.call('ZREMRANGEBYSCORE', key, 0, now - window)
-- Count current requests in window
local count = redis.call('ZCARD', key)
if count < limit then
  -- Under limit: add this request and allow
  local id = ARGV[4] or math.random(1000000)
  local added = redis.call('ZADD', key, now, now .. ':' .. id)
  redis.call('PEXPIRE', key, window)
  if added == 0 then
    return 2 -- Allowed, but collided with an existing member
  end
  return 1 -- Allowed
else
  return 0 -- Rate limited
end
