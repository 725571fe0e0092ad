#include "ledger/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/encoding.h"

namespace palika::ledger {
namespace fs = std::filesystem;

namespace {

std::string Errno(std::string_view what, const fs::path& file) {
  return std::string(what) + " " + file.string() + ": " + std::strerror(errno);
}

Status WriteAll(int fd, std::string_view data, const fs::path& file) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(Errno("cannot write", file));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// Writes `data` into a new hidden temporary file beside `file` with exactly `mode`, fsynced, and
// returns its path; on failure nothing is left behind.
Result<fs::path> WriteSyncedTemp(const fs::path& dir, const fs::path& file, std::string_view data,
                                 mode_t mode) {
  const fs::path tmp = dir / ("." + file.filename().string() + ".tmp-" + HexEncode(RandomBytes(6)));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Status::IOError(Errno("cannot create", tmp));
  Status s = WriteAll(fd, data, tmp);
  // The umask may have narrowed the mode; make it exact.
  if (s.ok() && ::fchmod(fd, mode) != 0) s = Status::IOError(Errno("cannot chmod", tmp));
  if (s.ok() && ::fsync(fd) != 0) s = Status::IOError(Errno("cannot fsync", tmp));
  if (::close(fd) != 0 && s.ok()) s = Status::IOError(Errno("cannot close", tmp));
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return tmp;
}

}  // namespace

Status SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(Errno("cannot open directory", dir));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) {
    errno = saved;
    return Status::IOError(Errno("cannot fsync directory", dir));
  }
  return Status::OK();
}

Status WriteFileNoReplace(const fs::path& file, std::string_view data, mode_t mode) {
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (::access(file.c_str(), F_OK) == 0) {
    return Status::Conflict("file_exists",
                            file.string() + " already exists; it is never overwritten",
                            file.string() + " पहले से है; इसे कभी बदला नहीं जाता");
  }
  PALIKA_ASSIGN_OR_RETURN(const fs::path tmp, WriteSyncedTemp(dir, file, data, mode));
  Status s = Status::OK();
  if (::link(tmp.c_str(), file.c_str()) != 0) {
    s = errno == EEXIST
            ? Status::Conflict("file_exists",
                               file.string() + " already exists; it is never overwritten",
                               file.string() + " पहले से है; इसे कभी बदला नहीं जाता")
            : Status::IOError(Errno("cannot link", file));
  }
  ::unlink(tmp.c_str());
  if (!s.ok()) return s;
  return SyncDirectory(dir);
}

Status ReplaceFileDurably(const fs::path& file, std::string_view data, mode_t mode) {
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  PALIKA_ASSIGN_OR_RETURN(const fs::path tmp, WriteSyncedTemp(dir, file, data, mode));
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    Status s = Status::IOError(Errno("cannot rename into", file));
    ::unlink(tmp.c_str());
    return s;
  }
  return SyncDirectory(dir);
}

Result<std::string> ReadWholeFile(const fs::path& file, size_t max_bytes) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Status::NotFound("file_missing", "there is no file " + file.string(),
                              file.string() + " फ़ाइल नहीं है");
    }
    return Status::IOError(Errno("cannot open", file));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = Status::IOError(Errno("cannot stat", file));
    ::close(fd);
    return s;
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Status::TooLarge("file_too_large",
                            file.string() + " is larger than " + std::to_string(max_bytes) +
                                " bytes, more than such a file can be",
                            file.string() + " अपेक्षा से बड़ी है");
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t len = 0;
  while (len < data.size()) {
    const ssize_t n = ::read(fd, data.data() + len, data.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Status::IOError(Errno("cannot read", file));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(len);
  return data;
}

}  // namespace palika::ledger
