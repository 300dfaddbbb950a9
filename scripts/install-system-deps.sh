#!/bin/sh
# Installs what the tests need that pip cannot: Debian's Chromium.
set -eu
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "The browser tests need Chromium: run 'sudo apt-get install chromium' once." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
