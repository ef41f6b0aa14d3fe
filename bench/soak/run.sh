#!/usr/bin/env bash
# Soak benchmark, one command: builds the server and the bench in Release, then runs N minutes of mixed load against
# one real server on SQLite (renders on both surfaces at a steady rate; task, generation, organization and
# request-history reads; portal pages) and prints, per time slice, requests, errors and p99 latency per route, and
# the server's RSS. Settings: name=value arguments: minutes (15), clients (4), create_every_ms (2000).
# --smoke: 20 seconds (CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-packages.sh
flock /tmp/reelay-build.lock dotnet build src/Reelay.Server/Reelay.Server.csproj -c Release --nologo -v q -clp:NoSummary
flock /tmp/reelay-build.lock dotnet build bench/soak/Reelay.Bench.Soak.csproj -c Release --nologo -v q -clp:NoSummary
exec timeout --foreground -s INT -k 30 7200 dotnet bench/soak/bin/Release/net10.0/Reelay.Bench.Soak.dll "$@"
