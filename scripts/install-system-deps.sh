#!/bin/sh
# Installs what the tests need that pip cannot, from Debian's packages:
# chromium (browser tests), nodejs (the client's JavaScript tests), nginx and
# redis-server (started by the tests on free ports), openssl (a certificate for
# the TLS proxy test), buildah, podman and debootstrap (the container test).
# Arguments pick some of them; each package installs the command of its name.
set -eu
[ "$#" -gt 0 ] || set -- chromium nginx redis-server openssl nodejs buildah podman debootstrap
# nginx and debootstrap live in sbin, which a user's PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
missing=""
for package in "$@"; do
  command -v "$package" >/dev/null 2>&1 || missing="$missing $package"
done
missing=${missing# }
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: run 'sudo apt-get install --no-install-recommends $missing' once." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The tests start their own nginx and redis-server; apt must not start the
# packaged services (invoke-rc.d asks policy-rc.d, and 101 means "refused").
if [ ! -e /usr/sbin/policy-rc.d ]; then
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
fi
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Nor at the next boot.
if [ -d /run/systemd/system ]; then
  for service in nginx redis-server; do
    case " $missing " in *" $service "*) systemctl disable --quiet "$service" || true ;; esac
  done
fi
