-- inventory_buy.lua: buy one unit if any are left.
-- KEYS[1] = stock key of the item (an integer; missing = 0)
-- ARGV: none
-- Returns 1 = bought (stock decremented), 0 = sold out (nothing changed).
local stock = tonumber(redis.call('GET', KEYS[1]) or '0')
if stock > 0 then
  redis.call('DECR', KEYS[1])
  return 1
else
  return 0
end
