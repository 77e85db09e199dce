#include "imine/prepare/pseudonym.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

namespace {

void init_sodium() { IMINE_CHECK(sodium_init() >= 0) << "libsodium failed to initialise"; }

}  // namespace

Pseudonymizer::Pseudonymizer(const std::vector<unsigned char>& key) {
  init_sodium();
  IMINE_CHECK(key.size() == kKeyBytes)
      << "id key has " << key.size() << " bytes, want " << kKeyBytes;
  crypto_generichash_init(&keyed_, key.data(), key.size(), crypto_generichash_BYTES_MIN);
}

uint64_t Pseudonymizer::operator()(std::string_view raw) const {
  unsigned char out[crypto_generichash_BYTES_MIN];  // 16 bytes, the smallest BLAKE2b output
  crypto_generichash_state st = keyed_;
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  crypto_generichash_final(&st, out, sizeof(out));
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | out[i];
  return v;
}

uint64_t PseudonymCache::get(std::string_view raw, uint64_t h) {
  bool added = false;
  uint64_t* value = ids_.intern_payload(raw, h, &added, nullptr);
  if (!added) return *value;
  const uint64_t v = pseudonym_(raw);
  *value = v;
  if (memory_bytes() > max_bytes_) ids_ = StringTable();
  return v;
}

bool create_key_file_if_absent(const std::string& path) {
  init_sodium();
  // O_EXCL: never overwrite an existing key (that would silently change every pseudonym).
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return false;
  IMINE_CHECK(fd >= 0) << "--id-key-file " << path << ": cannot create: " << std::strerror(errno);
  unsigned char key[Pseudonymizer::kKeyBytes];
  randombytes_buf(key, sizeof(key));
  ssize_t n = ::write(fd, key, sizeof(key));
  sodium_memzero(key, sizeof(key));
  int rc = n == static_cast<ssize_t>(sizeof(key)) ? ::fsync(fd) : -1;
  ::close(fd);
  if (rc != 0) ::unlink(path.c_str());
  IMINE_CHECK(rc == 0) << "--id-key-file " << path << ": cannot write the new key";
  return true;
}

std::vector<unsigned char> read_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  IMINE_CHECK(fd >= 0) << "--id-key-file " << path << ": cannot open: " << std::strerror(errno);
  struct stat st;
  IMINE_CHECK(::fstat(fd, &st) == 0) << "--id-key-file " << path << ": cannot stat";
  if ((st.st_mode & 077) != 0) {
    IMINE_LOG() << "warning: --id-key-file " << path << " is readable by other users; chmod 600 it";
  }
  std::vector<unsigned char> key(Pseudonymizer::kKeyBytes + 1);
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  IMINE_CHECK(n == static_cast<ssize_t>(Pseudonymizer::kKeyBytes))
      << "--id-key-file " << path << ": must hold exactly " << Pseudonymizer::kKeyBytes
      << " key bytes (it holds " << (n < 0 ? 0 : n) << (n > 32 ? " or more" : "") << ")";
  key.resize(Pseudonymizer::kKeyBytes);
  return key;
}

}  // namespace imine
