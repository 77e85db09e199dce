# Explore/exploit labels and offline policy evaluation (docs/explore-exploit.md).
imine_e2e(e2e_explore_labels explore_labels.sh 600)
set_tests_properties(e2e_explore_labels PROPERTIES LABELS "mpi;e2e;explore")
