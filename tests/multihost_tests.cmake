# Multi-host runs over TCP between network namespaces on this machine
# (scripts/netns-cluster.sh, docs/multihost.md). Need root and iproute2; skipped (77) with the
# reason where namespaces cannot be made. One at a time: they shape and cut links, and CPU time
# spent by one would show as network time in another.
function(imine_multihost_test name script timeout)
  imine_e2e(${name} ${script} ${timeout})
  set_tests_properties(${name} PROPERTIES LABELS "multihost;mpi;e2e" RESOURCE_LOCK netns
                       SKIP_RETURN_CODE 77)
endfunction()
imine_multihost_test(multihost_equivalence multihost_equivalence.sh 120)
imine_multihost_test(multihost_link_down multihost_link_down.sh 120)
imine_multihost_test(multihost_host_kill multihost_host_kill.sh 120)
imine_multihost_test(multihost_slow_link multihost_slow_link.sh 120)
