# Every dependency comes from a Debian package; say which one when it is missing.
macro(imine_require pkg debian)
  find_package(${pkg} ${ARGN})
  if(NOT ${pkg}_FOUND)
    message(FATAL_ERROR "imine needs ${pkg}: install the Debian package '${debian}' "
                        "(or run scripts/install-deps.sh)")
  endif()
endmacro()

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
imine_require(MPI "libopenmpi-dev openmpi-bin" COMPONENTS CXX)
set(HDF5_PREFER_PARALLEL OFF)
imine_require(HDF5 "libhdf5-dev" COMPONENTS C)
if(NOT TARGET hdf5::hdf5)
  add_library(hdf5::hdf5 INTERFACE IMPORTED)
  set_target_properties(hdf5::hdf5 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${HDF5_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${HDF5_C_LIBRARIES}"
    INTERFACE_COMPILE_DEFINITIONS "${HDF5_DEFINITIONS}")
endif()
imine_require(Eigen3 "libeigen3-dev" 3.4 NO_MODULE)
# oneDNN: the MLP's matrix products (fused bias/ReLU, bf16); see docs/performance.md. Its OpenMP
# runtime (libgomp, part of GCC) is linked directly to size its thread pool; nn is not compiled
# with -fopenmp, so Eigen's own products stay single-threaded.
# Found by hand: Debian's dnnl-config.cmake also demands the OpenCL development files, which
# the CPU engine imine uses never needs.
find_path(IMINE_DNNL_INCLUDE oneapi/dnnl/dnnl.hpp)
find_library(IMINE_DNNL_LIBRARY dnnl)
if(NOT IMINE_DNNL_INCLUDE OR NOT IMINE_DNNL_LIBRARY)
  message(FATAL_ERROR "imine needs oneDNN: install the Debian package 'libdnnl-dev' "
                      "(or run scripts/install-deps.sh)")
endif()
add_library(DNNL::dnnl INTERFACE IMPORTED)
set_target_properties(DNNL::dnnl PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${IMINE_DNNL_INCLUDE}"
                      INTERFACE_LINK_LIBRARIES "${IMINE_DNNL_LIBRARY}")
find_package(OpenMP REQUIRED COMPONENTS CXX)
imine_require(Boost "libboost-program-options-dev" COMPONENTS program_options)
# imine prepare: keyed BLAKE2b pseudonyms (libsodium, which ships no CMake config: pkg-config)
# and gzip-compressed event logs (zlib).
find_package(PkgConfig)
if(PkgConfig_FOUND)
  pkg_check_modules(SODIUM IMPORTED_TARGET libsodium)
endif()
if(NOT SODIUM_FOUND)
  message(FATAL_ERROR "imine needs libsodium: install the Debian packages 'libsodium-dev' and "
                      "'pkg-config' (or run scripts/install-deps.sh)")
endif()
imine_require(ZLIB "zlib1g-dev")
if(IMINE_BUILD_TESTS)
  imine_require(GTest "libgtest-dev")
endif()
