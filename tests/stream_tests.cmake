# The data path (issue 9): row store, prefetch thread, flat memory. Included from
# mpi_tests.cmake (its list of parts needs `stream`).
imine_e2e(e2e_data_path_flat_memory data_path_flat_memory.sh 300)
