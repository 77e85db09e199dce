// Progress and diagnostics go to stderr with the rank in front, so interleaved output from
// several ranks stays attributable. Results (tables, JSON) go to stdout.
#pragma once

#include <sstream>
#include <string>

namespace imine {

void set_log_rank(int rank);
int log_rank();
// Writes "imine[rN]: message\n" to stderr in one call.
void log_line(const std::string& message);

class LogStream {
 public:
  ~LogStream() { log_line(stream_.str()); }
  template <typename T>
  LogStream& operator<<(const T& v) {
    stream_ << v;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

}  // namespace imine

#define IMINE_LOG() ::imine::LogStream()
