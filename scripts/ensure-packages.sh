#!/usr/bin/env bash
# Installs the Debian packages the server and the tests need, only when something is missing.
# Idempotent and quiet: a machine that has everything runs no apt-get at all.
set -euo pipefail

need=()
command -v ffmpeg  >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need+=(fonts-dejavu-core)
# The preview engine speaks text_to_speech (and the dubbing's language) with espeak-ng.
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
if [[ "${1:-}" == "--tests" ]]; then
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm  >/dev/null 2>&1 || need+=(npm)
  # The portal's browser tests drive Debian's Chromium through Playwright (no browser download).
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
fi
# wrk drives bench/api (run.sh passes --bench; the tests run its smoke mode).
if [[ "${1:-}" == "--tests" || "${1:-}" == "--bench" ]]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
fi
((${#need[@]})) || exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "Missing packages: ${need[*]}. Install them as root (apt-get install ${need[*]})." >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing: $(printf '%s\n' "${need[@]}" | sort -u | tr '\n' ' ')" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
