-- ARGV: id, token hash, message id ('' for what cannot be one). The binding's participant may change that
-- message: it is theirs and still kept ('forbidden' otherwise). Nothing changes: the new text is relayed only.
local status, participant = author_call(ARGV[1], ARGV[2], ARGV[3], now_ms())
if status ~= 'ok' then return {status} end
local room = room_keys(ARGV[1])
return {'ok', participant, title(room), state(room)}
