#!/usr/bin/env bash
# Request-history benchmark, one command: builds in Release, fills a fresh SQLite file with 1,000,000
# synthetic request-log rows, and times the portal's history queries (keyset pages over the real
# indexes) against baselines measured in the same run: the same page without the indexes (full scan
# and sort) and OFFSET pagination. Arguments: [rows] (default 1000000), or --smoke (2,000 rows, for CI). Uses about 0.5 GB in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
flock /tmp/reelay-build.lock dotnet build bench/history/Reelay.Bench.History.csproj -c Release --nologo -v q -clp:NoSummary
exec timeout --foreground -s INT -k 30 1200 dotnet bench/history/bin/Release/net10.0/Reelay.Bench.History.dll "$@"
