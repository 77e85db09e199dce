// One error path for the whole program: throw imine::Error with context, catch once in main.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace imine {

// Every failure a user can cause or see is an Error; its message names the file, dataset or
// option involved. main() prints it as "imine: rank R: <message>" and aborts all ranks.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {

class ErrorStream {
 public:
  ErrorStream() = default;
  template <typename T>
  ErrorStream& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }
  std::string str() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
};

// operator& binds looser than <<, so the whole message is streamed before the throw.
struct Thrower {
  [[noreturn]] void operator&(const ErrorStream& s) const { throw Error(s.str()); }
};

}  // namespace detail
}  // namespace imine

// IMINE_CHECK(n <= limit) << "file " << path << ": too many users";
#define IMINE_CHECK(cond) \
  if (cond) {             \
  } else                  \
    ::imine::detail::Thrower() & ::imine::detail::ErrorStream()

// IMINE_FAIL() << "unknown schema " << name;
#define IMINE_FAIL() ::imine::detail::Thrower() & ::imine::detail::ErrorStream()
