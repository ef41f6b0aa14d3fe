#!/usr/bin/env bash
# API overhead benchmark, one command: installs wrk (Debian package) if missing, builds the server, the bench and its
# bare-Kestrel baseline in Release, then prints req/s of the hot authenticated reads (a SUCCEEDED task with its signed
# output URL, the organization, a RunBlob status read) against bare Kestrel serving a body of the same size, and p99
# at half that load. Arguments: duration=<seconds> (10), connections=<n> (32), warmup=<seconds> (10: each read served
# that long before measuring, so the JIT has tiered up), server.<Key>=<value> (a setting of the
# server under test, e.g. server.RequestLog:Enabled=false, to weigh one part of the path), --smoke (1 s runs, for CI).
# REELAY_TEST_DATABASE=postgres REELAY_TEST_PG=... runs the server on PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-packages.sh --bench   # wrk; ffmpeg renders the two tasks whose status is read
flock /tmp/reelay-build.lock dotnet build src/Reelay.Server/Reelay.Server.csproj -c Release --nologo -v q -clp:NoSummary
flock /tmp/reelay-build.lock dotnet build bench/api/bare/Reelay.Bench.Api.Bare.csproj -c Release --nologo -v q -clp:NoSummary
flock /tmp/reelay-build.lock dotnet build bench/api/Reelay.Bench.Api.csproj -c Release --nologo -v q -clp:NoSummary
exec timeout --foreground -s INT -k 30 700 dotnet bench/api/bin/Release/net10.0/Reelay.Bench.Api.dll "$@"
