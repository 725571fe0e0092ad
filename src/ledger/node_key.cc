#include "ledger/node_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace palika::ledger {
namespace {

// A key file is one short line; anything much bigger is not a key.
constexpr size_t kMaxKeyFileBytes = 4096;

std::string Errno(std::string_view what, const std::filesystem::path& file) {
  return std::string(what) + " " + file.string() + ": " + std::strerror(errno);
}

std::string ModeString(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Overwrites a string that held key material before it is freed.
void Wipe(std::string& s) { sodium_memzero(s.data(), s.size()); }

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& file) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Status::IOError(Errno("cannot write", file));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// The new directory entry is durable only once the directory itself is synced.
Status SyncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IOError(Errno("cannot open directory", dir));
  }
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) {
    errno = saved;
    return Status::IOError(Errno("cannot fsync directory", dir));
  }
  return Status::OK();
}

}  // namespace

Status CreateNodeKey(const std::filesystem::path& file, std::string_view name) {
  PALIKA_ASSIGN_OR_RETURN(NoteSigner signer, GenerateSigner(name));
  // O_EXCL: never replace an existing key, which would orphan every checkpoint it signed.
  // O_NOFOLLOW: never write the secret through a symlink someone planted.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::Conflict(
          "node_key_exists",
          "a node key already exists at " + file.string() +
              "; it is kept as it is (remove it yourself to make a new one)",
          "नोड कुंजी " + file.string() + " पर पहले से है; उसे बदला नहीं गया (नई चाहिए तो पुरानी स्वयं हटाएँ)");
    }
    return Status::IOError(Errno("cannot create node key file", file));
  }
  std::string contents = signer.Format() + "\n";
  Status s = WriteAll(fd, contents, file);
  Wipe(contents);
  // The umask can only narrow 0600, but make the mode exact whatever it was.
  if (s.ok() && ::fchmod(fd, 0600) != 0) {
    s = Status::IOError(Errno("cannot chmod", file));
  }
  if (s.ok() && ::fsync(fd) != 0) {
    s = Status::IOError(Errno("cannot fsync", file));
  }
  if (::close(fd) != 0 && s.ok()) {
    s = Status::IOError(Errno("cannot close", file));
  }
  if (!s.ok()) {
    ::unlink(file.c_str());  // leave no half-written key behind, so a retry can succeed
    return s;
  }
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
  return SyncDirectory(dir);
}

Result<NoteSigner> LoadNodeKey(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Status::NotFound(
          "node_key_missing",
          "there is no node key at " + file.string() + "; create one with `palika init`",
          file.string() + " पर नोड कुंजी नहीं है; `palika init` से बनाएँ");
    }
    return Status::IOError(Errno("cannot open node key file", file));
  }
  // fstat the open file, not the path, so the checked file is the one read.
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = Status::IOError(Errno("cannot stat", file));
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("node_key_invalid",
                                   "the node key " + file.string() + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    const std::string mode = ModeString(st.st_mode);
    return Status::PermissionDenied(
        "node_key_insecure",
        "the node key " + file.string() + " has mode " + mode +
            ", so other users may read or change it; run `chmod 600 " + file.string() +
            "` and, if anyone else could have read it, make a new key",
        "नोड कुंजी " + file.string() + " की अनुमति " + mode +
            " है, अन्य उपयोगकर्ता इसे पढ़ या बदल सकते हैं; `chmod 600 " + file.string() +
            "` चलाएँ और यदि किसी और ने इसे पढ़ा हो तो नई कुंजी बनाएँ");
  }
  std::string contents(kMaxKeyFileBytes + 1, '\0');
  size_t len = 0;
  while (len < contents.size()) {
    const ssize_t n = ::read(fd, contents.data() + len, contents.size() - len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      Status s = Status::IOError(Errno("cannot read", file));
      ::close(fd);
      Wipe(contents);
      return s;
    }
    if (n == 0) {
      break;
    }
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  if (len > kMaxKeyFileBytes) {
    Wipe(contents);
    return Status::InvalidArgument("node_key_invalid",
                                   "the node key " + file.string() + " is too large to be a key");
  }
  std::string_view key(contents.data(), len);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) {
    key.remove_suffix(1);
  }
  Result<NoteSigner> signer = NoteSigner::Parse(key);
  Wipe(contents);
  if (!signer.ok()) {
    return Status::InvalidArgument(
        "node_key_invalid",
        "the node key " + file.string() + " is not usable: " + signer.status().message());
  }
  return signer;
}

}  // namespace palika::ledger
