-- ARGV: id, token hash, message id ('' for what cannot be one). The binding's participant takes back their
-- kept message ('forbidden' otherwise): its id and its reactions are forgotten.
local status, participant = author_call(ARGV[1], ARGV[2], ARGV[3], now_ms())
if status ~= 'ok' then return {status} end
forget_message(ARGV[1], ARGV[3])
local room = room_keys(ARGV[1])
return {'ok', participant, title(room), state(room)}
