#!/usr/bin/env bash
# run.sh HOW BUILD_DIR FLAVOUR: installs the library from BUILD_DIR to a
# temporary prefix, builds main.cpp against it as a user would, and runs it.
#   HOW find_package: this CMake project, find_package(asio_uring_fixed)
#   HOW pkg-config:   one compiler command with `pkg-config --cflags --libs`
# FLAVOUR (boost or standalone) picks the target / module. CXX and CXXFLAGS
# from the environment are used by both (.ci/test puts newer Asio headers
# there).
set -euo pipefail
how=$1 build_dir=$2 flavour=$3 source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
module=asio_uring_fixed
[ "$flavour" = standalone ] && module=asio_uring_fixed_standalone
case $how in
  find_package)
    cmake -S "$source_dir" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_BUILD_TYPE=Release -DFLAVOUR="$flavour" >/dev/null
    cmake --build "$work/build" >/dev/null
    program=$work/build/consumer ;;
  pkg-config)
    pcdir=$(dirname "$(find "$work/prefix" -name "$module.pc" | head -n 1)")
    export PKG_CONFIG_PATH=$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
    echo "pkg-config --cflags --libs $module: $(pkg-config --cflags --libs "$module")"
    # shellcheck disable=SC2046,SC2086
    ${CXX:-c++} -std=c++20 -O1 ${CXXFLAGS:-} "$source_dir/main.cpp" -o "$work/consumer" \
      $(pkg-config --cflags --libs "$module")
    program=$work/consumer
    # A shared build is found where it was installed.
    export LD_LIBRARY_PATH=$(dirname "$pcdir")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} ;;
  *) echo "run.sh: HOW is find_package or pkg-config" >&2; exit 2 ;;
esac
"$program" "$source_dir/main.cpp"
