#!/usr/bin/env bash
# Asset-intake benchmark, one command: builds the server and the bench in Release, then runs it.
# Prints a table of preflight cases (bytes read before rejection, time, ratio to a baseline measured
# in the same run) and the server's peak memory while 8 clients each fetch a 16 MB image at once.
# --smoke: one run per case (CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-packages.sh   # ffmpeg makes the test images
flock /tmp/reelay-build.lock dotnet build src/Reelay.Server/Reelay.Server.csproj -c Release --nologo -v q -clp:NoSummary
flock /tmp/reelay-build.lock dotnet build bench/assets/Reelay.Bench.Assets.csproj -c Release --nologo -v q -clp:NoSummary
# SIGINT (also Ctrl-C) lets the bench stop its server and remove its temp files; -k kills it if that hangs.
exec timeout --foreground -s INT -k 30 900 dotnet bench/assets/bin/Release/net10.0/Reelay.Bench.Assets.dll "$@"
