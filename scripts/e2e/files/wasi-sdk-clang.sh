#!/bin/sh
# WASI SDK stand-in: Debian's @TOOL@-@LLVM@ aimed at wasm32-wasi and this SDK's sysroot.
sdk=$(cd "$(dirname "$0")/.." && pwd)
exec /usr/bin/@TOOL@-@LLVM@ --target=wasm32-wasi --sysroot="$sdk/share/wasi-sysroot" "$@"
