#!/usr/bin/env bash
# Installs the system packages the test suite drives for real (Debian's Chromium for the
# browser journeys), so `npm test` works on a fresh machine. Idempotent and quick when present.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need: ${need[*]}. Install them (Debian: sudo apt-get install -y ${need[*]}) and run npm test again." >&2
  exit 1
fi

echo "Installing test dependencies from Debian: ${need[*]} …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "Installed: ${need[*]}"
