#!/usr/bin/env bash
# Writes the 404 fallback of a GitHub Pages site into a built app: DIST/404.html, which
# sends any unknown address of the site to the app at BASE, query and fragment kept.
#
#   scripts/pages/fallback.sh DIST BASE      e.g. scripts/pages/fallback.sh dist /gallery/
set -euo pipefail

dist="${1:?usage: fallback.sh DIST BASE}"
base="${2:?usage: fallback.sh DIST BASE}"
# The base goes into a script and an attribute as is: a plain path only.
if [[ ! "$base" =~ ^/([A-Za-z0-9._-]+/)*$ ]]; then
  echo "fallback.sh: $base is not a site path like /name/" >&2
  exit 1
fi
[[ -f "$dist/index.html" ]] || { echo "fallback.sh: $dist/index.html not found: build the app first" >&2; exit 1; }
template="$(dirname "${BASH_SOURCE[0]}")/404.html"
sed "s|__BASE__|$base|g" "$template" > "$dist/404.html"
echo "fallback.sh: $dist/404.html sends unknown addresses to $base"
