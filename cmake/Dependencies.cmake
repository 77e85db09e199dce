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
imine_require(Boost "libboost-program-options-dev" COMPONENTS program_options)
if(IMINE_BUILD_TESTS)
  imine_require(GTest "libgtest-dev")
endif()
