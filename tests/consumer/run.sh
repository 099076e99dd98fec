#!/usr/bin/env bash
# Installs the library from BUILD_DIR to a temporary prefix, configures and
# builds this consumer project against it, and runs it.
set -euo pipefail
build_dir=$1 source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer" "$source_dir/main.cpp"
