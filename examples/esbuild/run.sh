#!/usr/bin/env bash
# The README's first command (`npm run example`): the esbuild release
# binaries from npm, base images made from Debian bookworm packages, and
# `gantry release` of the scratch image and its variants into the OCI
# layout gantry-release/, verified and summarised. Downloads are cached in
# .cache/ and dist/, so a second run needs no network.
set -euo pipefail
cd "$(dirname "$0")"
export ESBUILD_VERSION=${ESBUILD_VERSION:-$(<esbuild.version)}
# 2026-01-01: any fixed time makes every layer and image reproducible.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}
./fetch.sh
node --import tsx bases.ts
node ../../bin/gantry.cjs release --version "$ESBUILD_VERSION" release.yaml
