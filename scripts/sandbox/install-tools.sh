#!/usr/bin/env bash
# Installs the real tools the sandbox and the host tests run: Redis, PostgreSQL 15, pgBackRest (the
# default PostgreSQL engine), openssl (the sandbox's own CA for the engine's TLS), moto_server, and
# the AWS CLI the install document uses; GNU time and strace for npm run bench.
# Idempotent and cheap when everything is there: apt-get update runs once per machine (marker
# file), apt-get install only for what is missing, pip only when moto_server or aws is not on PATH.
# Python tools are pinned. Where the system Python refuses pip (PEP 668 "externally-managed-
# environment": Debian 12 and later), each goes into a virtual environment in the cache instead,
# its command linked into $TOOLS_BIN (default /usr/local/bin).
# wal-g is not an OS package and is not installed here: its tests run only where WALG_BINARY names
# a wal-g binary, and say "skipped" otherwise. Nothing stands in for it.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
CACHE_DIR="${STELLAR_SANDBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stellar-insights-backup}"
APT_MARKER="$CACHE_DIR/apt-updated"
MOTO_REQUIREMENT="moto[server]==5.2.1"
AWSCLI_REQUIREMENT="awscli==1.45.11"
PYTHON_TOOLS_DIR="$CACHE_DIR/python-tools"
TOOLS_BIN="${TOOLS_BIN:-/usr/local/bin}"
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

apt_install() {
  if [ ! -f "$APT_MARKER" ]; then
    say "apt-get update (once per machine)"
    as_root apt-get update -qq
    touch "$APT_MARKER"
  fi
  say "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# pip_install REQUIREMENT COMMAND: installs REQUIREMENT so that COMMAND is on PATH.
pip_install() {
  local requirement="$1" command="$2" log="$CACHE_DIR/pip-install.log"
  say "pip install '$requirement'"
  if python3 -m pip install --quiet "$requirement" 2>"$log"; then
    rehash_python_shims
    return
  fi
  if ! grep -q externally-managed-environment "$log"; then
    cat "$log" >&2
    say "pip install '$requirement' failed (above)"
    exit 1
  fi
  # One environment per tool: awscli pins a botocore that moto's boto3 refuses.
  local venv="$PYTHON_TOOLS_DIR/$command"
  say "the system Python refuses pip (PEP 668): installing into $venv, linked into $TOOLS_BIN"
  if [ ! -x "$venv/bin/pip" ]; then
    python3 -m venv "$venv" 2>/dev/null || {
      apt_install python3-venv
      python3 -m venv "$venv"
    }
  fi
  "$venv/bin/pip" install --quiet "$requirement"
  as_root mkdir -p "$TOOLS_BIN"
  as_root ln -sfn "$venv/bin/$command" "$TOOLS_BIN/$command"
  hash -r
}

missing_packages=()
command -v redis-server >/dev/null 2>&1 && command -v redis-check-rdb >/dev/null 2>&1 || missing_packages+=(redis-server)
[ -x "/usr/lib/postgresql/$PG_MAJOR/bin/initdb" ] || missing_packages+=("postgresql-$PG_MAJOR")
[ -x /usr/bin/pgbackrest ] || missing_packages+=(pgbackrest)
command -v openssl >/dev/null 2>&1 || missing_packages+=(openssl)
[ -x /usr/bin/time ] || missing_packages+=(time) # GNU time: peak RSS for npm run bench
[ -x /usr/bin/strace ] || missing_packages+=(strace) # what a backup from a standby reads, for npm run bench
command -v runuser >/dev/null 2>&1 || missing_packages+=(util-linux) # PostgreSQL refuses root
[ -e "/usr/lib/$(uname -m)-linux-gnu/faketime/libfaketime.so.1" ] || missing_packages+=(libfaketime) # a host clock set ahead, in the liveness test

if [ "${#missing_packages[@]}" -gt 0 ]; then
  # The postgresql package would start a system cluster on 5432; the sandbox runs its own.
  apt_install "${missing_packages[@]}"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
else
  say "redis-server, PostgreSQL $PG_MAJOR and pgBackRest already installed"
fi

if command -v moto_server >/dev/null 2>&1; then
  say "moto_server already installed"
else
  pip_install "$MOTO_REQUIREMENT" moto_server
  command -v moto_server >/dev/null 2>&1 || { say "moto_server still not on PATH after pip install"; exit 1; }
fi

# The install document fetches artifacts with the AWS CLI, as it does on a host.
if command -v aws >/dev/null 2>&1 && aws --version >/dev/null 2>&1; then
  say "aws CLI already installed"
else
  pip_install "$AWSCLI_REQUIREMENT" aws
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
