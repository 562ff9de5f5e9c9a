#!/usr/bin/env bash
# Installs what BlockNMF needs and is not installed yet: the system libraries it builds
# against (HDF5 and OpenBLAS, found through pkg-config) and Debian's HDF5 filter plugins,
# with which it reads LZF-, Blosc- and LZ4-compressed files (liblzf1 too: the LZF plugin
# needs it without depending on it). With --tests, also the Python packages the tests run:
# h5py, anndata and hdf5plugin, and gdb and valgrind, with which tools/fuzz_inputs.py finds
# whose code a crash or hang is in. Debian/Ubuntu; uses sudo when not root.
set -euo pipefail

packages=(libhdf5-dev libopenblas-dev pkg-config
          hdf5-plugin-lzf liblzf1 hdf5-filter-plugin hdf5-filter-plugin-blosc-serial)
python_packages=(h5py anndata hdf5plugin)
tests=false
if [ "${1:-}" = "--tests" ]; then tests=true; packages+=(gdb valgrind); fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
    missing=()
    for package in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    if [ "$tests" = true ] && ! python3 -m pip --version >/dev/null 2>&1; then missing+=(python3-pip); fi
    if [ ${#missing[@]} -gt 0 ]; then
        if ! $sudo apt-get install -y -q "${missing[@]}"; then
            $sudo apt-get update -q
            $sudo apt-get install -y -q "${missing[@]}"
        fi
    fi
elif ! pkg-config --exists hdf5 openblas 2>/dev/null; then
    echo "setup: install the HDF5 and OpenBLAS development packages and pkg-config (pkg-config names: hdf5, openblas)" >&2
    exit 1
fi

if [ "$tests" = true ] && ! python3 -c "import h5py, anndata, hdf5plugin" 2>/dev/null; then
    user=()
    if [ "$(id -u)" -ne 0 ]; then user=(--user); fi
    python3 -m pip install --quiet "${user[@]}" "${python_packages[@]}" \
        || python3 -m pip install --quiet "${user[@]}" --break-system-packages "${python_packages[@]}"
fi
