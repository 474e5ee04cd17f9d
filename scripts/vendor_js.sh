#!/usr/bin/env bash
# Vendor the JavaScript libraries of the page at `/` of `kg serve` into kg/static/vendor/.
#
# The page must work with no network, so the built files of its libraries ship inside the
# package. This script fetches the pinned releases from the npm registry with `npm pack`
# (npm checks each tarball against the registry's integrity hash), copies the built files and
# the licence of each into kg/static/vendor/<package>/, and writes kg/static/vendor/README.md.
# Run it from anywhere to reproduce (or, after changing a version below, update) the vendored
# files; it needs node and npm, nothing else, and touches nothing outside kg/static/vendor.
#
# Folders are flat on purpose: a folder named dist/ would be ignored by git (.gitignore) and
# so left out of the wheel.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/kg/static/vendor"

# package@version, then "source:destination" pairs relative to the package's folder
LIBRARIES=(
  "leaflet@1.9.4 dist/leaflet.js:leaflet.js dist/leaflet.css:leaflet.css dist/images/layers.png:images/layers.png dist/images/layers-2x.png:images/layers-2x.png dist/images/marker-icon.png:images/marker-icon.png dist/images/marker-icon-2x.png:images/marker-icon-2x.png dist/images/marker-shadow.png:images/marker-shadow.png LICENSE:LICENSE"
  "chart.js@4.6.1 dist/chart.umd.min.js:chart.umd.min.js LICENSE.md:LICENSE.md"
  "cytoscape@3.35.0 dist/cytoscape.min.js:cytoscape.min.js LICENSE:LICENSE"
  "topojson-client@3.1.0 dist/topojson-client.min.js:topojson-client.min.js LICENSE:LICENSE"
  "world-atlas@2.0.2 countries-50m.json:countries-50m.json LICENSE:LICENSE"
)

command -v npm >/dev/null || { echo "vendor_js.sh: npm is needed (apt-get install npm)" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

rows=()
for entry in "${LIBRARIES[@]}"; do
  read -r spec pairs <<<"$entry"
  name="${spec%@*}"
  version="${spec##*@}"
  tarball="$(cd "$WORK" && npm pack "$spec" --silent)"
  mkdir -p "$WORK/$name"
  tar -xzf "$WORK/$tarball" -C "$WORK/$name"
  license="$(cd "$WORK/$name/package" && node -p "require('./package.json').license")"
  integrity="$(npm view "$spec" dist.integrity)"
  rm -rf "${VENDOR:?}/$name"
  files=()
  for pair in $pairs; do
    source="${pair%%:*}"
    target="${pair#*:}"
    mkdir -p "$(dirname "$VENDOR/$name/$target")"
    cp "$WORK/$name/package/$source" "$VENDOR/$name/$target"
    files+=("$target")
  done
  rows+=("| $name | $version | $license | $(IFS=,; echo "${files[*]}" | sed 's/,/, /g') | \`$integrity\` |")
  echo "vendored $spec ($license)"
done

{
  echo "# Vendored JavaScript libraries"
  echo
  echo "The built files of the libraries the page at \`/\` uses, so that it works with no network."
  echo "Written by \`scripts/vendor_js.sh\` from the npm registry; do not edit by hand. Each"
  echo "folder holds the library's licence."
  echo
  echo "| package | version | licence | files | npm tarball integrity |"
  echo "| --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "\`world-atlas/countries-50m.json\` is Natural Earth's 1:50m Admin 0 country outlines"
  echo "(Natural Earth 4.1.0, public domain) as TopoJSON, redistributed by world-atlas."
} >"$VENDOR/README.md"
echo "wrote $VENDOR/README.md"
