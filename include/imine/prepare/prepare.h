// `imine prepare`: raw event logs -> an imine dataset folder (docs/prepare.md). Collective:
// every rank parses its byte range of the inputs, events move to the rank that writes their
// user's shard, and rank 0 writes the catalog, the manifest and prepare-report.json.
#pragma once

#include "imine/dist/communicator.h"
#include "imine/prepare/config.h"
#include "imine/prepare/report.h"

namespace imine {

// Returns the report (complete on rank 0; other ranks get the summed counters).
PrepareReport run_prepare(const PrepareConfig& config, const Communicator& comm);

}  // namespace imine
