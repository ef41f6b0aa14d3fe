#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints its connection string (the only output).
# Idempotent and quiet: installs Debian's postgresql only if it is missing, creates the cluster under
# /tmp/reelay-pg only if absent, and starts it only if it is not running.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail

root=/tmp/reelay-pg
port=55432

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "PostgreSQL is missing: install it as root (apt-get install postgresql)." >&2; exit 1; }
    sudo="sudo"
  fi
  echo "Installing: postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

mkdir -p "$root"
[[ $(id -u) -eq 0 ]] && chown postgres "$root"

if [[ ! -f "$root/data/PG_VERSION" ]]; then
  rm -rf "$root/data"
  as_owner "'$bin/initdb' -D '$root/data' -A trust -U postgres -E UTF8 --no-sync" >/dev/null
fi

if ! as_owner "'$bin/pg_ctl' -D '$root/data' status" >/dev/null 2>&1; then
  # A test cluster: durability is not under test, so fsync is off (CREATE DATABASE per server start is
  # then cheap); enough connections for several server processes with their pools at once.
  opts="-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
  as_owner "'$bin/pg_ctl' -D '$root/data' -o '$opts' -l '$root/log' -w -t 60 start" >/dev/null
fi

echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
