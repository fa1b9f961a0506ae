#!/usr/bin/env bash
# Fetches the real esbuild release binaries for linux/amd64 and linux/arm64
# from the npm registry (the @esbuild/linux-* packages ship static binaries)
# into dist/linux-<arch>/esbuild, the paths release.yaml names.
set -euo pipefail
cd "$(dirname "$0")"
version=${ESBUILD_VERSION:-$(<esbuild.version)}
for pair in amd64:x64 arm64:arm64; do
  arch=${pair%%:*} npm_arch=${pair##*:}
  out=dist/linux-$arch
  [[ -x $out/esbuild ]] && continue
  mkdir -p "$out"
  tarball=$(npm pack --silent --pack-destination "$out" "@esbuild/linux-$npm_arch@$version")
  tar -xzf "$out/$tarball" -C "$out" --strip-components=2 package/bin/esbuild
  rm "$out/$tarball"
done
