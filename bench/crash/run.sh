#!/usr/bin/env bash
# Crash-round benchmark, one command: builds the server and the bench in Release, starts the throwaway PostgreSQL
# cluster (scripts/ensure-postgres.sh), then runs the crash rounds of tests/Reelay.Tests/Reliability with large
# counts: on SQLite one node, on PostgreSQL two nodes on one database, killed with SIGKILL at random moments under
# mixed load (creates with Idempotency-Key on both surfaces, callbacks, uploads, polling, cancels), and checks that
# nothing was lost, duplicated or charged twice. Settings: name=value arguments: kills (10), clients (6), seed.
# --smoke: one kill, two clients (CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-packages.sh
flock /tmp/reelay-build.lock dotnet build src/Reelay.Server/Reelay.Server.csproj -c Release --nologo -v q -clp:NoSummary
flock /tmp/reelay-build.lock dotnet build bench/crash/Reelay.Bench.Crash.csproj -c Release --nologo -v q -clp:NoSummary
if pg=$(scripts/ensure-postgres.sh); then
  export REELAY_TEST_PG="$pg"
else
  echo "PostgreSQL could not be started (scripts/ensure-postgres.sh failed): only SQLite is measured." >&2
  unset REELAY_TEST_PG
fi
exec timeout --foreground -s INT -k 30 3600 dotnet bench/crash/bin/Release/net10.0/Reelay.Bench.Crash.dll "$@"
