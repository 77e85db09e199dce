# Hostile-input hardening outside the libFuzzer targets (issue 5): files from imine before
# format v2 (variable-length strings) are refused naming the converter, and convert back.
imine_e2e(e2e_strings_compat strings_compat.sh 240)
set_tests_properties(e2e_strings_compat PROPERTIES LABELS "mpi;e2e;faults")
