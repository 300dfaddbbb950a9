-- ARGV: id, the host's token hash, the participant id to remove. Destroys that binding as on
-- logout; returns the host and the removed (JSON), its sockets on every process, whether it was
-- present, and the presence. 'invalid': no binding of the room has that id; 'own': the host's own.
local room, members, _, online = room_keys(ARGV[1])
local now = now_ms()
local status, host, people = host_call(room, members, ARGV[2], now)
if status ~= 'ok' then return {status} end
local target = find_id(people, ARGV[3])
if not target then return {'invalid'} end
if target[1] == host[1] then return {'own'} end  -- leaving is logout
local sids, was_present = unbind(ARGV[1], target[1])
local handed = hand_over(members, online)  -- never in practice: the kicker is a host
note_hosting(ARGV[1], members, online, now)
local changed = (was_present or handed) and 1 or 0
return {'ok', cjson.encode(host[2]), cjson.encode(target[2]), sids, changed, presence(members, online)}
