// English: every word the scripts put on screen, by key. Another language is
// another file of the same shape; a key it lacks shows the English text.
// "{name}" is filled from the caller's params. An object picks its text by
// Intl.PluralRules for params.count ("one", "other", and what a language needs).

export default Object.freeze({
  "app.name": "Ephemeral",
  "title.unread": "({count}) {app}",

  "status.connected": "Connected. Nothing here is stored.",
  "status.reconnecting": "Reconnecting…",

  "note.fresh": "Messages appear only while you are here. Nothing is stored: not on the server, not in this browser.",
  "note.refreshed": "You refreshed the page: it starts empty, because no message is stored anywhere.",
  "note.reconnected": "Reconnected. Messages sent while you were away were not received.",
  "note.joined": "{alias} joined",
  "note.left": "{alias} left",
  "note.host": "{alias} is now a host",
  "note.member": "{alias} is no longer a host",
  "note.you_host": "You are now a host of this room.",
  "note.you_member": "You are no longer a host of this room.",
  "room.forbidden": "Only a host of this room can do that. If you are one, reload the page and try again.",
  "note.locked": "The room is locked: nobody new can join.",
  "note.unlocked": "The room is unlocked: anyone with the link and the password can join.",

  "gone.title": "Gone · Ephemeral",
  "gone.purged_by": "{alias} purged it.",
  "gone.purged_by_you": "You purged it.",

  "mark.you": "(you)",
  "mark.host": "Host",

  // The room's state and a host's controls (chat/control.js, chat/people.js).
  "room.kind.group": "Group",
  "room.kind.pair": "Pair",
  "room.kind.broadcast": "Broadcast",
  "control.lock": "Lock room",
  "control.unlock": "Unlock room",
  "control.not_here": "That person is no longer in the room.",
  "control.alone": "Nobody else is here to take over as host. Stay host, or leave the room.",
  "people.actions": "Actions for {alias}",
  "people.promote": "Make host",
  "people.kick": "Remove from room",
  "kick.title": "Remove {alias} from the room?",

  "media.load.image": "Load image from {host}",
  "media.load.video": "Load video from {host}",
  "media.load.audio": "Load audio from {host}",
  "media.warning": "Loading it tells that site your address.",

  "expiry.one_minute": "Less than 1 minute left. Then the room and everything in it is destroyed.",
  "expiry.five_minutes": "Less than 5 minutes left before this room is destroyed.",

  "composer.help.enter": "Enter sends, Shift+Enter adds a line. **bold**, _italic_, `code`, > quote, - list.",
  "composer.help.tap": "Tap Send to send. **bold**, _italic_, `code`, > quote, - list.",
  "composer.offline": "Not connected, so nothing can be sent. What you type stays here until the connection is back.",
  "composer.wait": {
    one: "Too many messages at once. You can send again in {count} second.",
    other: "Too many messages at once. You can send again in {count} seconds.",
  },
  "composer.count": "{used} of {max} characters",

  "copy.done": "Link copied. Now send the password another way.",
  "copy.manual": "Select the link and copy it.",

  "share.expires": {
    one: "at {time} (in {count} minute)",
    other: "at {time} (in {count} minutes)",
  },

  "form.alias.empty": "Alias must not be empty.",
  "form.alias.long": "Alias must be at most {max} characters.",
  "form.alias.invisible": "Alias contains invisible or control characters.",
  "form.name.empty": "Room name must not be empty.",
  "form.name.long": "Room name must be at most {max} characters.",
  "form.name.invisible": "Room name contains invisible or control characters.",
  "form.password.empty": "Password must not be empty.",
  "form.password.long": "Password must be at most {max} characters.",
  "form.password.show": "Show",
  "form.password.hide": "Hide",
  "form.password.show_label": "Show password",
  "form.password.hide_label": "Hide password",

  "proof.checking": "Checking your browser…",

  // Server-blind rooms: making the key, and what a reader refused and why.
  "e2e.deriving": "Making the room's key from the password…",
  "e2e.wrong": "Wrong password or link. Check the password, and that the whole link was opened, with its ending after #k=.",
  "e2e.undecryptable": "A message could not be decrypted: it was not sealed with this room's key for this room and sender. It is not shown.",
  "e2e.missing": {
    one: "{count} message from {alias} is missing: the server did not pass it on.",
    other: "{count} messages from {alias} are missing: the server did not pass them on.",
  },
  "e2e.refused.alias": "A message was refused: it came as {alias}'s, but names someone else inside.",
  "e2e.refused.order": "A message from {alias} was refused: it came again, or out of order (a replay).",
  "e2e.refused.old": "A message from {alias} was refused as a replay: it was written before you joined.",
  "e2e.refused.ahead": "A message from {alias} was refused as a replay: its time is too far ahead of this device's clock.",
  "e2e.refused.long": "A message from {alias} was refused: it is longer than this room allows.",

  // Ack error codes (the server's, then the client's own offline and timeout).
  // The server's English `message` is never shown: these are.
  "error.invalid": "That was not sent: it is empty or malformed.",
  "error.wrong_password": "That password is not right for this room.",
  "error.forbidden": "That is not allowed from here. Reload the page and try again.",
  "error.locked": "This room is locked: nobody new can join it right now. Ask someone in it to unlock it.",
  "error.unauthorized": "You are no longer in this room.",
  "error.not_found": "This room does not exist any more.",
  "error.alias_taken": "Someone in this room already uses that alias.",
  "error.room_full": "This room is full.",
  "error.too_many_rooms": "This browser is in as many rooms as it can hold. Leave one of them first.",
  "error.method_not_allowed": "The server does not take that kind of request here. Reload the page and try again.",
  "error.too_large": "Too long to send: a message can have at most {max} characters.",
  "error.unsupported_media_type": "The server did not understand the request. Reload the page and try again.",
  "error.proof_required": "Many wrong passwords were tried here just now. Checking your browser first…",
  "error.proof_invalid": "Checking your browser did not work out. Try joining again.",
  "error.rate_limited": "Slow down: that was too many messages at once. Wait a moment, then send again.",
  "error.too_many_connects": "This browser connected to the room too often just now. This tab will try again by itself in a few seconds.",
  "error.too_many_sockets": "Too many tabs of this room are open in this browser, or too many connections come from your network. Close a tab; this one will try again by itself.",
  "error.capacity": "The server is full right now. Try again later.",
  "error.unavailable": "The server cannot reach its rooms for a moment. Try again shortly.",
  "error.internal": "Something went wrong. Try again.",
  "error.offline": "Not connected. Wait for the connection to come back.",
  "error.timeout": "The server did not answer. Try again.",
});
