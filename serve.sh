#!/usr/bin/env bash
# Starts Reelay on the embedded default: SQLite in ./data, the preview engine, http://127.0.0.1:8080.
# The first start creates the "default" organization and prints its API key once.
# Extra arguments are passed to the server, e.g. ./serve.sh --urls http://0.0.0.0:9000 --Admin:Token=secret
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-packages.sh
dotnet build src/Reelay.Server -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null || { echo "Build failed: run dotnet build src/Reelay.Server for details." >&2; exit 1; }
bin=src/Reelay.Server/bin/Release/net10.0
# Run from the repository root so the default data directory is ./data.
exec dotnet "$bin/Reelay.Server.dll" --contentRoot "$PWD/$bin" "$@"
