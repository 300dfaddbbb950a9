-- ARGV: id, token hash. Destroys the room if this binding belongs to it and the room's purge
-- policy lets it (`hosts`: a host only); returns the purger (JSON).
local room, members = room_keys(ARGV[1])
local participant = live_exp(room, now_ms()) and redis.call('HGET', members, ARGV[2])
if not participant then return {'none'} end
if redis.call('HGET', room, 'purge') == 'hosts' and cjson.decode(participant).role ~= HOST then
  return {'forbidden'}
end
delete_room(ARGV[1])
return {'ok', participant}
