#!/usr/bin/env bash
# Preview render benchmark, one command: builds the bench (and with it the server's renderers) in Release, then runs it.
# A 5 s 1280x720 MP4 render vs bare ffmpeg running the renderer's own argument list (ratio), image renders (ms per
# image and format) and speech (render time / audio duration). repeats=5; --smoke: one tiny run of each (CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ensure-packages.sh   # ffmpeg, espeak-ng, fonts
flock /tmp/reelay-build.lock dotnet build bench/render/Reelay.Bench.Render.csproj -c Release --nologo -v q -clp:NoSummary
exec timeout --foreground -s INT -k 30 1800 dotnet bench/render/bin/Release/net10.0/Reelay.Bench.Render.dll "$@"
