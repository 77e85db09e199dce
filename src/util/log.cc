#include "imine/util/log.h"

#include <unistd.h>

namespace imine {

namespace {
int g_rank = 0;  // Set once at start-up; only read afterwards.
}

void set_log_rank(int rank) { g_rank = rank; }
int log_rank() { return g_rank; }

void log_line(const std::string& message) {
  std::string line = "imine[r" + std::to_string(g_rank) + "]: " + message + "\n";
  // One write() so lines from different ranks and threads do not interleave mid-line.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace imine
