#!/usr/bin/env bash
# Runs "$@" with a private, unlocked Secret Service (gnome-keyring in its own D-Bus session), so
# the keyring tests exercise a real backend without touching the user's own keyring.
# Usage: scripts/with-secret-service.sh pytest ...
set -euo pipefail
if [ -z "${XCONSOLE_IN_SECRET_SERVICE:-}" ]; then
  export XCONSOLE_IN_SECRET_SERVICE=1
  exec dbus-run-session -- "$0" "$@"
fi
export HOME_KEYRING_DIR
HOME_KEYRING_DIR=$(mktemp -d)
# gnome-keyring keeps its files under XDG_DATA_HOME; a throwaway one keeps runs independent.
export XDG_DATA_HOME="$HOME_KEYRING_DIR"
eval "$(printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
export XCONSOLE_SECRET_SERVICE=1
"$@"
status=$?
rm -rf "$HOME_KEYRING_DIR"
exit $status
