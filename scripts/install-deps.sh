#!/usr/bin/env bash
# Installs imine's build and test dependencies from Debian's packages, only those missing.
# Idempotent: a second run installs nothing.
set -euo pipefail

PACKAGES=(build-essential cmake libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools
          libeigen3-dev libdnnl-dev libboost-program-options-dev libgtest-dev
          libsodium-dev zlib1g-dev pkg-config
          python3-h5py python3-numpy
          python3-matplotlib  # scripts/plot_policy_sweep.py (imine eval-policy --sweep --plot)
          clang libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes: scripts/fuzz.sh
          iproute2)  # ip/tc: the multi-host tests' network namespaces (scripts/netns-cluster.sh)

# --with-slurm: also what the Slurm tests need (a private single-node Slurm, scripts/local-slurm.sh).
if [ "${1:-}" = "--with-slurm" ]; then
  PACKAGES+=(slurm-wlm munge iproute2)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
