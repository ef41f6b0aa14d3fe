#!/usr/bin/env bash
# Runs every test: installs what the tests need (ffmpeg, fonts, Node.js, the official
# @runwayml/sdk from tests/sdk-compat/package-lock.json and the S3-compatible endpoint of the blob
# store tests from tests/s3-endpoint/package-lock.json), then the whole xUnit suite on SQLite and
# again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-packages.sh --tests
(cd tests/sdk-compat && npm ci --silent --no-audit --no-fund >/dev/null)
(cd tests/s3-endpoint && npm ci --silent --no-audit --no-fund >/dev/null)
(cd tests/portal-a11y && npm ci --silent --no-audit --no-fund >/dev/null)

# Every .NET process the tests start (test servers, the CLI, benches in smoke mode) lives seconds to a minute: dynamic PGO's
# instrumented tier is JIT work they never earn back. Without it the CLI tests took 109–124 s instead of 136–150 s
# (196–227 s of CPU instead of 247–283). Servers run by serve.sh or the benches' run.sh keep the runtime's default.
export DOTNET_TieredPGO=0

# The whole suite twice: on SQLite (the default), then again with every test server on its own database
# of a throwaway PostgreSQL cluster (scripts/ensure-postgres.sh). Tests that can only mean SQLite carry
# [Trait("Database", "sqlite-only")] and are left out of the second run, as are those whose subject does not depend on the
# database at all (rendered media checked by content, the renderers' in-process tests, benches that pick SQLite
# themselves, clients whose side is under test: the CLI, the C# client, the generated documents): [Trait("Database", "independent")].
log=$(mktemp)
pglog=$(mktemp)
set +e
# Build the whole solution first: `dotnet test` alone builds only what the test project needs, while the bench smoke
# tests run the benches' built programs.
dotnet build Reelay.slnx -c Release --nologo -v quiet -clp:ErrorsOnly 2>&1 | tee "$log"
buildstatus=${PIPESTATUS[0]}
dotnet test Reelay.slnx -c Release --nologo --no-build 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
pg=$(scripts/ensure-postgres.sh)
pgstatus=$?
if [[ $pgstatus -eq 0 ]]; then
  echo "=== The same suite on PostgreSQL ($pg) ==="
  REELAY_TEST_DATABASE=postgres REELAY_TEST_PG="$pg" \
    dotnet test Reelay.slnx -c Release --nologo --no-build --filter "Database!=sqlite-only&Database!=independent" 2>&1 | tee "$pglog"
  pgstatus=${PIPESTATUS[0]}
else
  echo "Could not start PostgreSQL (scripts/ensure-postgres.sh); the PostgreSQL run did not happen." >&2
fi
set -e
# One plain closing line for CI: "N passed, N failed", summed over both runs.
total() { grep -Eho "Failed: +[0-9]+, Passed: +[0-9]+" "$log" "$pglog" | grep -Eo "$1: +[0-9]+" | grep -Eo '[0-9]+' | awk '{ n += $1 } END { print n + 0 }'; }
passed=$(total Passed)
failed=$(total Failed)
rm -f "$log" "$pglog"
echo "${passed} passed, ${failed} failed"
# A project that does not build fails the run even when the tests of the ones that did all pass.
if [[ $buildstatus -ne 0 ]]; then echo "The solution did not build (see above)." >&2; exit "$buildstatus"; fi
if [[ $status -ne 0 ]]; then exit "$status"; fi
exit "$pgstatus"
