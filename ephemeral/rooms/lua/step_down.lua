-- ARGV: id, the host's token hash. The host becomes a member; without another host present, the role
-- first goes to the earliest-joined other present participant ('invalid': there is none, nothing changes).
-- An absent co-host does not count: the grace would hand the role straight back to whoever stepped down.
local room, members, _, online = room_keys(ARGV[1])
local now = now_ms()
local status, host, people = host_call(room, members, ARGV[2], now)
if status ~= 'ok' then return {status} end
local other_host = false  -- present
for _, entry in ipairs(people) do
  if entry[1] ~= host[1] and entry[2].role == HOST and redis.call('HEXISTS', online, entry[1]) == 1 then
    other_host = true
  end
end
if not other_host then
  local heir = earliest(people, online, true, host[1])
  if not heir then return {'invalid'} end
  set_role(members, heir, HOST)
end
set_role(members, host, 'member')
note_hosting(ARGV[1], members, online, now)
return {'ok', presence(members, online)}
