#!/usr/bin/env bash
# Installs the Debian packages the tests and screenshots need, only when something is missing.
# tmux: end-to-end tests; dbus + gnome-keyring + libsecret-tools: a real Secret Service for the
# keyring tests; librsvg2-bin: SVG -> PNG screenshots; prometheus: a real one scrapes `xconsole metrics
# serve` in the tests, and its promtool checks the shipped rules.
set -euo pipefail
need=()
command -v tmux >/dev/null || need+=(tmux)
command -v dbus-run-session >/dev/null || need+=(dbus)
command -v dbus-launch >/dev/null || need+=(dbus-x11)
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
command -v secret-tool >/dev/null || need+=(libsecret-tools)
command -v rsvg-convert >/dev/null || need+=(librsvg2-bin)
command -v prometheus >/dev/null || need+=(prometheus)  # a real Prometheus (and promtool) for the metrics tests
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
