-- ARGV: id, the host's token hash, the participant id to make a host (already one: no change).
local room, members, _, online = room_keys(ARGV[1])
local now = now_ms()
local status, _, people = host_call(room, members, ARGV[2], now)
if status ~= 'ok' then return {status} end
local target = find_id(people, ARGV[3])
if not target then return {'invalid'} end
if target[2].role ~= HOST then set_role(members, target, HOST) end
note_hosting(ARGV[1], members, online, now)
return {'ok', presence(members, online)}
