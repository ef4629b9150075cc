#!/usr/bin/env bash
# Installs the real tools the sandbox and the host tests run: Redis, PostgreSQL 15, pgBackRest (the
# default PostgreSQL engine), openssl (the sandbox's own CA for the engine's TLS), moto_server, and
# the AWS CLI the install document uses.
# Idempotent and cheap when everything is there: apt-get update runs once per machine (marker
# file), apt-get install only for what is missing, pip only when moto_server is not on PATH.
# wal-g is not an OS package and is not installed here: its tests run only where WALG_BINARY names
# a wal-g binary, and say "skipped" otherwise. Nothing stands in for it.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
CACHE_DIR="${STELLAR_SANDBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stellar-insights-backup}"
APT_MARKER="$CACHE_DIR/apt-updated"
mkdir -p "$CACHE_DIR"

say() { printf 'install-tools: %s\n' "$*"; }

# Under pyenv a newly installed console script (moto_server, aws) is on PATH only after a rehash.
rehash_python_shims() {
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
  hash -r
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_packages=()
command -v redis-server >/dev/null 2>&1 && command -v redis-check-rdb >/dev/null 2>&1 || missing_packages+=(redis-server)
[ -x "/usr/lib/postgresql/$PG_MAJOR/bin/initdb" ] || missing_packages+=("postgresql-$PG_MAJOR")
[ -x /usr/bin/pgbackrest ] || missing_packages+=(pgbackrest)
command -v openssl >/dev/null 2>&1 || missing_packages+=(openssl)
[ -x /usr/bin/time ] || missing_packages+=(time) # GNU time: peak RSS for npm run bench
command -v runuser >/dev/null 2>&1 || missing_packages+=(util-linux) # PostgreSQL refuses root

if [ "${#missing_packages[@]}" -gt 0 ]; then
  if [ ! -f "$APT_MARKER" ]; then
    say "apt-get update (once per machine)"
    as_root apt-get update -qq
    touch "$APT_MARKER"
  fi
  say "apt-get install -y ${missing_packages[*]}"
  # The postgresql package would start a system cluster on 5432; the sandbox runs its own.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
else
  say "redis-server, PostgreSQL $PG_MAJOR and pgBackRest already installed"
fi

if command -v moto_server >/dev/null 2>&1; then
  say "moto_server already installed"
else
  say "pip install 'moto[server]'"
  python3 -m pip install --quiet 'moto[server]'
  rehash_python_shims
  command -v moto_server >/dev/null 2>&1 || { say "moto_server still not on PATH after pip install"; exit 1; }
fi

# The install document fetches artifacts with the AWS CLI, as it does on a host.
if command -v aws >/dev/null 2>&1 && aws --version >/dev/null 2>&1; then
  say "aws CLI already installed"
else
  say "pip install awscli"
  python3 -m pip install --quiet awscli
  rehash_python_shims
fi

for tool in redis-server redis-cli redis-check-rdb moto_server runuser aws pgbackrest openssl; do
  command -v "$tool" >/dev/null 2>&1 || { say "missing after install: $tool"; exit 1; }
done
id postgres >/dev/null 2>&1 || { say "system user 'postgres' is missing (the postgresql package creates it)"; exit 1; }
id redis >/dev/null 2>&1 || { say "system user 'redis' is missing (the redis-server package creates it)"; exit 1; }

if [ -n "${WALG_BINARY:-}" ] && [ -x "$WALG_BINARY" ]; then
  say "wal-g: $("$WALG_BINARY" --version 2>&1 | head -1) at $WALG_BINARY (WALG_BINARY)"
else
  say "wal-g: not available (set WALG_BINARY to a wal-g binary): its engine tests are reported as skipped"
fi
say "done"
