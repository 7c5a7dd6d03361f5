#!/usr/bin/env bash
# Renders the committed PNG icon sizes from steerbridge.svg (needs rsvg-convert
# from librsvg2-bin; only run when the SVG changes: the build uses the PNGs).
set -euo pipefail
cd "$(dirname "$0")"
for s in 16 22 24 32 48 64 128 256; do
  rsvg-convert -w "$s" -h "$s" steerbridge.svg -o "steerbridge-$s.png"
done
