#!/usr/bin/env bash
# Installs what BlockNMF builds against (HDF5 and OpenBLAS, found through pkg-config) and
# what its tests use (h5py, whose writers hold files open) when they are missing.
# Debian/Ubuntu; uses sudo when not root.
set -euo pipefail

packages=()
if ! pkg-config --exists hdf5 openblas 2>/dev/null; then
    packages+=(libhdf5-dev libopenblas-dev pkg-config)
fi
if ! python3 -c "import h5py" 2>/dev/null; then
    packages+=(python3-h5py)
fi
if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "setup: install the HDF5 and OpenBLAS development packages and pkg-config (pkg-config names: hdf5, openblas), and h5py for Python 3" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q "${packages[@]}"; then
    $sudo apt-get update -q
    $sudo apt-get install -y -q "${packages[@]}"
fi
