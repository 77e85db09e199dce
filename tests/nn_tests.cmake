# The compute path (issue 9): imine bench's gradient reduction under mpirun. Included from
# mpi_tests.cmake.
imine_e2e(e2e_bench_reduction bench_reduction.sh 180)
