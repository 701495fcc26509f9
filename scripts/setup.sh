#!/usr/bin/env bash
# Fresh-machine setup, idempotent: every step says what it does and is skipped when done.
# Used by `npm run demo`, `npm test` and CI. Installing the engine needs root; everything
# after that needs only access to the Docker socket.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\033[1m▸ %s\033[0m\n' "$*"; }
skip() { printf '  ✔ %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

engine_answers() { docker info >/dev/null 2>&1; }

# 1. Docker engine: Debian's docker.io when no engine is installed.
if engine_answers; then
  skip "Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
else
  if ! command -v dockerd >/dev/null 2>&1; then
    step "installing Docker engine (Debian docker.io) and debootstrap"
    apt_install docker.io debootstrap
  fi
  step "starting dockerd (log: /var/log/emunet-dockerd.log)"
  # Detached, output to a file: a background process holding the caller's stdout open
  # would keep CI waiting on it.
  as_root sh -c 'setsid dockerd >/var/log/emunet-dockerd.log 2>&1 < /dev/null &'
  for _ in $(seq 1 60); do engine_answers && break; sleep 1; done
  engine_answers || { echo "✘ dockerd did not answer within 60 s; see /var/log/emunet-dockerd.log" >&2; exit 1; }
  skip "Docker engine answers ($(docker version --format '{{.Server.Version}}'))"
fi

# 2. debootstrap: the offline base image needs it when no registry is reachable.
if command -v debootstrap >/dev/null 2>&1; then
  skip "debootstrap present"
else
  step "installing debootstrap (offline base image)"
  apt_install debootstrap
fi

# 3. Chromium: the report test opens report.html headless, as a reader's browser would.
if command -v chromium >/dev/null 2>&1; then
  skip "chromium present ($(chromium --version 2>/dev/null | head -n1))"
else
  step "installing chromium (Debian package; headless browser for the report test)"
  apt_install chromium
fi

# 4. Node dependencies, reinstalled only when package-lock.json changed.
lock_hash=$(sha256sum package-lock.json | cut -c1-16)
if [ -f node_modules/.emunet-lock ] && [ "$(cat node_modules/.emunet-lock)" = "$lock_hash" ]; then
  skip "node_modules up to date"
else
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.emunet-lock
fi

# 5. The orchestrator, compiled (tsc is quick and always right about what changed).
step "compiling the orchestrator (tsc)"
npm run --silent build

# 6. Images: rebuilt only when their inputs' hash changed.
step "container images"
node bin/emunet.js images build
