#!/usr/bin/env bash
# The 3.11 README's commands, typed out as a person would run them: the
# baseline the benchmark compares the action with. Run it in a CPython 3.11
# checkout with the toolchains on hand:
#
#   WASI_SDK_PATH=... scripts/e2e/raw-build.sh SOURCE wasi
#   (emcc on PATH)    scripts/e2e/raw-build.sh SOURCE emscripten-node [emscripten-browser]
set -euo pipefail
source_dir=$(cd "$1" && pwd)
shift
cd "$source_dir"
jobs=$(nproc)

mkdir -p builddir/build
pushd builddir/build >/dev/null
../../configure -C
make -j"$jobs"
popd >/dev/null

for target in "$@"; do
  case $target in
    wasi)
      mkdir -p builddir/wasi
      pushd builddir/wasi >/dev/null
      CONFIG_SITE=../../Tools/wasm/config.site-wasm32-wasi \
        ../../Tools/wasm/wasi-env ../../configure -C \
        --host=wasm32-unknown-wasi \
        --build="$(../../config.guess)" \
        --with-build-python="$(pwd)/../build/python"
      make -j"$jobs"
      popd >/dev/null
      ;;
    emscripten-node | emscripten-browser)
      embuilder build zlib bzip2
      mkdir -p "builddir/$target"
      pushd "builddir/$target" >/dev/null
      CONFIG_SITE=../../Tools/wasm/config.site-wasm32-emscripten \
        emconfigure ../../configure -C \
        --host=wasm32-unknown-emscripten \
        --build="$(../../config.guess)" \
        --with-emscripten-target="${target#emscripten-}" \
        --with-build-python="$(pwd)/../build/python"
      emmake make -j"$jobs"
      popd >/dev/null
      ;;
    *)
      echo "raw-build.sh: unknown target $target" >&2
      exit 2
      ;;
  esac
done
