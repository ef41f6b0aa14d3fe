#!/usr/bin/env bash
# Relay latency benchmark, one command: builds the server and the bench in Release, starts an upstream Reelay and a
# gateway whose gen4.5 is served by "relay:up" (as tests/Reelay.Tests/Relays/RelayPair.cs configures them: Runway
# dialect, PollSeconds 0.2, both on this machine, SQLite), then creates tasks one at a time and prints what the relay
# adds, p50/p99: create → upstream create, against the same create made directly on the upstream; and upstream
# SUCCEEDED → ours SUCCEEDED, against downloading the upstream's output directly (the copy the relay must make).
# Settings: name=value arguments: tasks (30), poll (0.2 s). --smoke: 3 tasks (CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-packages.sh   # ffmpeg renders the upstream's preview videos
flock /tmp/reelay-build.lock dotnet build src/Reelay.Server/Reelay.Server.csproj -c Release --nologo -v q -clp:NoSummary
flock /tmp/reelay-build.lock dotnet build bench/relay/Reelay.Bench.Relay.csproj -c Release --nologo -v q -clp:NoSummary
exec timeout --foreground -s INT -k 30 1800 dotnet bench/relay/bin/Release/net10.0/Reelay.Bench.Relay.dll "$@"
