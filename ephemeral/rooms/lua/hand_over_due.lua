-- ARGV: grace ms, batch size. Rooms whose present people have had no present host for the grace
-- (note_hosting stamps them): ZREM makes exactly one caller the owner of each, and the earliest-
-- joined present participant becomes host. Returns {room id, presence} per room that got one.
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', HOSTLESS, '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
local changes = {}
for _, id in ipairs(due) do
  redis.call('ZREM', HOSTLESS, id)
  local room, members, _, online = room_keys(id)
  if live_exp(room, now) then
    local anyone, hosted = present_hosting(members, online)
    if anyone and not hosted then
      set_role(members, earliest(roster(members), online, true), HOST)
      changes[#changes + 1] = {id, presence(members, online)}
    end
    note_hosting(id, members, online, now)
  end
end
return changes
