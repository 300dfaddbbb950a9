// The chat page's elements that more than one module draws in, looked up once.

const $ = (id) => document.getElementById(id);

export const view = {
  messages: $("messages"),
  newMessages: $("new-messages"),
  status: $("status"),
  countdown: $("countdown"),
  expiryWarning: $("expiry-warning"),
  composer: $("composer"),
  send: $("send"),
  text: $("text"),
  charCount: $("char-count"),
  composerNotice: $("composer-notice"),
  composerError: $("composer-error"),
  roomError: $("room-error"),
  typing: $("typing"),
};
