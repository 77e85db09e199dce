# End-to-end tests: the real imine binary under mpirun, each bounded by a timeout, driven by the
# shell scripts in tests/e2e/. Label "mpi"; the slow model-quality run is also labelled "quality".
# Open MPI refuses to run as root unless told; tell it only when the tests run as root.
execute_process(COMMAND id -u OUTPUT_VARIABLE IMINE_UID OUTPUT_STRIP_TRAILING_WHITESPACE)
set(IMINE_ROOT_ENV "")
if(IMINE_UID STREQUAL "0")
  set(IMINE_ROOT_ENV "OMPI_ALLOW_RUN_AS_ROOT=1" "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
endif()
set(IMINE_E2E_ENV ${IMINE_ROOT_ENV}
    "IMINE_BIN=$<TARGET_FILE:imine>"
    "IMINE_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
    "MPIEXEC=${MPIEXEC_EXECUTABLE}")

function(imine_e2e name script timeout)
  add_test(NAME ${name}
           COMMAND timeout --kill-after=10 ${timeout} bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/${script}
                   ${ARGN}
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(${name} PROPERTIES LABELS "mpi;e2e" ENVIRONMENT "${IMINE_E2E_ENV}"
                       TIMEOUT ${timeout})
endfunction()

imine_e2e(e2e_cli_options cli_options.sh 60)
imine_e2e(e2e_dp_epsilon dp_epsilon.sh 120)
imine_e2e(e2e_synth_rank_invariant synth_ranks.sh 180)
imine_e2e(e2e_train_np_equivalence train_equivalence.sh 300)
imine_e2e(e2e_resume_bitwise resume_bitwise.sh 240)
imine_e2e(e2e_corrupt_shard_aborts corrupt_shard.sh 120)
# Faults: hostile inputs (scripts/make_corrupt_shards.py) and injected hangs/crashes
# (IMINE_FAULT) end the job promptly with a message naming the culprit.
imine_e2e(e2e_corrupt_variants corrupt_variants.sh 240)
imine_e2e(e2e_watchdog watchdog.sh 180)
set_tests_properties(e2e_corrupt_variants e2e_watchdog PROPERTIES LABELS "mpi;e2e;faults")
imine_e2e(e2e_checkpoint_interop checkpoint_interop.sh 180)
imine_e2e(e2e_model_beats_baselines model_quality.sh 600)
imine_e2e(e2e_preempt_resume preempt_resume.sh 300)
imine_e2e(e2e_nonfinite_loss nonfinite_loss.sh 180)
imine_e2e(e2e_straggler_trace straggler_trace.sh 180)
set_tests_properties(e2e_preempt_resume e2e_nonfinite_loss e2e_straggler_trace PROPERTIES
                     LABELS "mpi;e2e;faults")
# The reliability table (docs/testing.md): killed ranks and writers, damaged checkpoints, write
# errors, uneven data, resuming at another rank count, an exception in every phase.
imine_e2e(e2e_fault_kill_rank fault_kill_rank.sh 120)
imine_e2e(e2e_fault_kill_during_checkpoint fault_kill_during_checkpoint.sh 120)
imine_e2e(e2e_fault_corrupt_newest_checkpoint fault_corrupt_newest_checkpoint.sh 120)
imine_e2e(e2e_fault_disk_full fault_disk_full.sh 120)
imine_e2e(e2e_fault_uneven_shards fault_uneven_shards.sh 180)
imine_e2e(e2e_fault_resume_other_np fault_resume_other_np.sh 180)
imine_e2e(e2e_fault_labels_killed fault_labels_killed.sh 120)
imine_e2e(e2e_fault_throw_phases fault_throw_phases.sh 180)
set_tests_properties(e2e_fault_kill_rank e2e_fault_kill_during_checkpoint
                     e2e_fault_corrupt_newest_checkpoint e2e_fault_disk_full
                     e2e_fault_uneven_shards e2e_fault_resume_other_np e2e_fault_labels_killed
                     e2e_fault_throw_phases PROPERTIES LABELS "mpi;e2e;faults")
set_tests_properties(e2e_model_beats_baselines PROPERTIES LABELS "mpi;e2e;quality")
imine_e2e(e2e_movielens_quality movielens_quality.sh 240)
set_tests_properties(e2e_movielens_quality PROPERTIES LABELS "mpi;e2e;quality" SKIP_RETURN_CODE 77)
imine_e2e(e2e_short_history_quality short_history_quality.sh 400)
set_tests_properties(e2e_short_history_quality PROPERTIES LABELS "mpi;e2e;quality")
imine_e2e(e2e_prepare_shop prepare_shop.sh 300)
imine_e2e(e2e_prepare_movielens prepare_movielens.sh 180)
imine_e2e(e2e_bf16_quality bf16_quality.sh 400)
set_tests_properties(e2e_bf16_quality PROPERTIES LABELS "mpi;e2e;quality")
set_tests_properties(e2e_prepare_movielens PROPERTIES SKIP_RETURN_CODE 77)

# The collectives themselves at np 2 and 4 (oversubscribed on 2 cores).
add_executable(imine_mpi_test ${CMAKE_CURRENT_SOURCE_DIR}/mpi/collectives_mpitest.cc)
target_link_libraries(imine_mpi_test PRIVATE imine_dist GTest::gtest)
foreach(np 2 4)
  add_test(NAME mpi_collectives_np${np}
           COMMAND timeout --kill-after=10 120 ${MPIEXEC_EXECUTABLE} -np ${np} --oversubscribe
                   $<TARGET_FILE:imine_mpi_test>)
  set_tests_properties(mpi_collectives_np${np} PROPERTIES LABELS mpi TIMEOUT 130
                       ENVIRONMENT "${IMINE_E2E_ENV}")
endforeach()

# docs/options.md must be what the option tables generate.
add_test(NAME docs_options_up_to_date
         COMMAND sh -c "$<TARGET_FILE:imine> --options-markdown | diff -u ${CMAKE_SOURCE_DIR}/docs/options.md -")
set_tests_properties(docs_options_up_to_date PROPERTIES LABELS e2e ENVIRONMENT "${IMINE_E2E_ENV}"
                     TIMEOUT 30)

# Against a real single-node Slurm started by the test (scripts/local-slurm.sh); skipped where
# slurm-wlm/munge are missing. One at a time: they share the machine's Slurm ports.
function(imine_slurm_test name script timeout)
  imine_e2e(${name} ${script} ${timeout})
  set_tests_properties(${name} PROPERTIES LABELS "slurm;e2e" RESOURCE_LOCK slurm
                       SKIP_RETURN_CODE 77)
endfunction()
imine_slurm_test(slurm_pipeline slurm_pipeline.sh 240)
imine_slurm_test(slurm_preempt_requeue slurm_preempt.sh 300)
imine_slurm_test(slurm_refresh slurm_refresh.sh 300)

# Per-feature registrations live beside this file so that each area's tests are listed in one
# place: explore/exploit labels, privacy (DP-SGD), multi-host runs over network namespaces.
foreach(part explore privacy multihost fuzz nn stream)
  include(${CMAKE_CURRENT_LIST_DIR}/${part}_tests.cmake OPTIONAL)
endforeach()
