# Privacy (issue 7): DP-SGD end to end under mpirun. Included from mpi_tests.cmake.
imine_e2e(e2e_privacy_dp_train privacy_dp_train.sh 300)
imine_e2e(e2e_privacy_bounds privacy_bounds.sh 180)
