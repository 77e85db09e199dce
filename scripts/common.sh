# Sourced by the scripts: OpenMPI refuses to run as root unless told, so say so only as root.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
IMINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMINE_JOBS="${IMINE_JOBS:-$(nproc)}"
