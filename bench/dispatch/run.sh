#!/usr/bin/env bash
# Dispatch benchmark, one command: builds the server and the bench in Release, starts the throwaway PostgreSQL
# cluster (scripts/ensure-postgres.sh), then for SQLite and PostgreSQL prints tasks created per second and
# create-to-RUNNING p50/p99 with a noop engine (under a burst, idle, and idle across two server processes), next to
# the raw database's commit rate measured in the same run.
# Settings: name=value arguments or DISPATCH_<NAME> variables: tasks (5000), clients (8), warmup (500, repeated for warmup_seconds: 20),
# idle (50), xnode (50), workers (16: Workers:NoopConcurrency), raw_seconds (3); e.g. bench/dispatch/run.sh tasks=3000 workers=2. --smoke: tiny counts (CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-packages.sh   # ffmpeg renders the noop engine's placeholder once per server
flock /tmp/reelay-build.lock dotnet build src/Reelay.Server/Reelay.Server.csproj -c Release --nologo -v q -clp:NoSummary
flock /tmp/reelay-build.lock dotnet build bench/dispatch/Reelay.Bench.Dispatch.csproj -c Release --nologo -v q -clp:NoSummary
# Without PostgreSQL the SQLite half still runs; the bench says why the other half is missing.
if pg=$(scripts/ensure-postgres.sh); then
  export REELAY_TEST_PG="$pg"
else
  echo "PostgreSQL could not be started (scripts/ensure-postgres.sh failed): only SQLite is measured." >&2
  unset REELAY_TEST_PG
fi
# SIGINT (also Ctrl-C) lets the bench stop its server, drop its database and remove its temp files; -k kills it if that hangs.
exec timeout --foreground -s INT -k 30 900 dotnet bench/dispatch/bin/Release/net10.0/Reelay.Bench.Dispatch.dll "$@"
