#!/usr/bin/env bash
# Installs the system libraries BlockNMF builds against (HDF5 and OpenBLAS, found
# through pkg-config) when they are missing. Debian/Ubuntu; uses sudo when not root.
set -euo pipefail

if pkg-config --exists hdf5 openblas 2>/dev/null; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "setup: install the HDF5 and OpenBLAS development packages and pkg-config (pkg-config names: hdf5, openblas)" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q libhdf5-dev libopenblas-dev pkg-config; then
    $sudo apt-get update -q
    $sudo apt-get install -y -q libhdf5-dev libopenblas-dev pkg-config
fi
