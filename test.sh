#!/usr/bin/env bash
# Runs every test: installs what the tests need (ffmpeg, fonts, Node.js and the official
# @runwayml/sdk from tests/sdk-compat/package-lock.json), then the whole xUnit suite.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-packages.sh --tests
(cd tests/sdk-compat && npm ci --silent --no-audit --no-fund >/dev/null)

log=$(mktemp)
set +e
dotnet test Reelay.slnx -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line for CI: "N passed, N failed".
summary=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -1)
failed=$(echo "$summary" | grep -Eo 'Failed: +[0-9]+' | grep -Eo '[0-9]+' || echo 0)
passed=$(echo "$summary" | grep -Eo 'Passed: +[0-9]+' | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
