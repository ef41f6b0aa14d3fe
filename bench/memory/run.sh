#!/usr/bin/env bash
# Memory benchmark, one command: builds the server and the bench in Release, then runs it.
# Hostile JSON bodies (13 MB: a million unknown keys, nested arrays, one huge string, a million-element array of the
# wrong type) to a Runway create, a RunBlob create, an admin and a worker route, each on a fresh server: the answer's
# status and size, peak RSS increase / body size, settled RSS. Then a mixed phase: settled RSS vs after warm-up.
# Arguments: minutes=2 (mixed phase; 0 skips it), size_mb=13, settle_s=10, fresh=1, cases=<route filter>, kinds=<body kind filter>,
# gc=server|datas|workstation|conserve|datas-conserve (override the server's GC settings). --smoke: 64 KB bodies, one server (CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-packages.sh   # ffmpeg renders the mixed phase's tasks
flock /tmp/reelay-build.lock dotnet build src/Reelay.Server/Reelay.Server.csproj -c Release --nologo -v q -clp:NoSummary
flock /tmp/reelay-build.lock dotnet build bench/memory/Reelay.Bench.Memory.csproj -c Release --nologo -v q -clp:NoSummary
# SIGINT (also Ctrl-C) lets the bench stop its server; -k kills it if that hangs.
exec timeout --foreground -s INT -k 30 3600 dotnet bench/memory/bin/Release/net10.0/Reelay.Bench.Memory.dll "$@"
