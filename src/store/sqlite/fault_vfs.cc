#include "store/sqlite/fault_vfs.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace palika::store::sqlite {
namespace {

std::atomic<Fault> g_fault{Fault::kNone};
sqlite3_vfs* g_base = nullptr;
sqlite3_vfs g_vfs;

// A WAL's frames, held until their transaction's commit frame (see fault_vfs.h). SQLite writes
// a frame as two writes (its 24-byte header, then the page) and a transaction's frames one after
// another; this gathers them and hands them to the base VFS as one write. Guarded by a mutex:
// the ledger's sync thread calls xSync on the writer's WAL file object while the writer writes.
class WalBuffer {
 public:
  static constexpr int kFrameHeader = 24;  // SQLite's WAL_FRAME_HDRSIZE
  // The most it holds: the unix VFS writes at most 0x1ffff bytes a pwrite (it masks the length;
  // a longer write would come back as SQLITE_FULL).
  static constexpr size_t kMaxBytes = 0x1ffff;

  // Takes a write SQLite made; SQLITE_OK, or the error of a write to the base file this needed.
  int Write(sqlite3_file* real, const void* buf, int n, sqlite3_int64 off) {
    std::lock_guard lk(mu_);
    if (!data_.empty() && (off != start_ + static_cast<sqlite3_int64>(data_.size()) ||
                           data_.size() + static_cast<size_t>(n) > kMaxBytes)) {
      // Not contiguous (what came first goes first), or full.
      if (int rc = FlushLocked(real)) return rc;
    }
    if (data_.empty()) start_ = off;
    const auto* bytes = static_cast<const char*>(buf);
    data_.insert(data_.end(), bytes, bytes + n);
    bool last = false;
    if (n == kFrameHeader) {
      // A frame's header; bytes 4-7 (the database's size in pages after the commit) are not zero
      // only in a transaction's commit frame, whose page is the transaction's last write.
      commit_page_next_ = (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
    } else {
      last = commit_page_next_;
      commit_page_next_ = false;
    }
    if (last || data_.size() >= kMaxBytes) return FlushLocked(real);
    return SQLITE_OK;
  }

  // Writes whatever is held; before any other use of the file.
  int Flush(sqlite3_file* real) {
    std::lock_guard lk(mu_);
    return FlushLocked(real);
  }

 private:
  // A failed write keeps what is held: SQLite was told those writes succeeded, so they must not
  // go missing (a later commit frame written after them would leave a hole in the WAL behind a
  // commit that readers trust); the next flush tries them again, and until one succeeds every
  // write that needs one fails, and so does the transaction's COMMIT.
  int FlushLocked(sqlite3_file* real) {  // requires mu_
    if (data_.empty()) return SQLITE_OK;
    const int rc =
        real->pMethods->xWrite(real, data_.data(), static_cast<int>(data_.size()), start_);
    if (rc == SQLITE_OK) data_.clear();
    return rc;
  }

  std::mutex mu_;  // guards the rest
  std::vector<char> data_;
  sqlite3_int64 start_ = 0;  // data_'s offset in the file
  // The last header was a commit frame's: its page is next (kept across a flush by xSync from
  // another thread between the two).
  bool commit_page_next_ = false;
};

// Our file: the base VFS's file object follows this header in the same allocation.
struct FaultFile {
  sqlite3_file base;  // must be first: SQLite sees this
  sqlite3_file* real;
  bool main_db;    // a database file (not its WAL or a journal)
  WalBuffer* wal;  // a WAL opened for writing: its frames until the commit frame; else null
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }
WalBuffer* Wal(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->wal; }
// Writes a WAL's held frames before another use of the file; SQLITE_OK when there are none.
int FlushWal(sqlite3_file* f) { return Wal(f) ? Wal(f)->Flush(Real(f)) : SQLITE_OK; }

// The simulated free space (SimulateFreeSpace). The file is looked at again on every write; it is
// re-read when its inode, size or modification time changed.
class FreeSpace {
 public:
  void Arm(const std::filesystem::path& file) {
    std::lock_guard lk(mu_);
    file_ = file;
    seen_ = {};
    remaining_ = -1;
    armed_.store(true, std::memory_order_release);
  }
  bool armed() const { return armed_.load(std::memory_order_acquire); }

  // How many of `n` bytes may be written now; takes them from the free space.
  int Take(int n) {
    std::lock_guard lk(mu_);
    Refresh();
    if (remaining_ < 0) return n;
    const int64_t granted = std::min<int64_t>(n, remaining_);
    remaining_ -= granted;
    return static_cast<int>(granted);
  }

 private:
  void Refresh() {  // requires mu_
    struct stat st {};
    if (::stat(file_.c_str(), &st) != 0) {
      seen_ = {};
      remaining_ = -1;
      return;
    }
    if (st.st_ino == seen_.st_ino && st.st_size == seen_.st_size &&
        st.st_mtim.tv_sec == seen_.st_mtim.tv_sec && st.st_mtim.tv_nsec == seen_.st_mtim.tv_nsec) {
      return;
    }
    seen_ = st;
    std::ifstream in(file_);
    std::string text;
    std::getline(in, text);
    int64_t bytes = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bytes);
    remaining_ = ec == std::errc() && end != text.data() && bytes >= 0 ? bytes : -1;
  }

  std::atomic<bool> armed_{false};
  std::mutex mu_;  // guards file_, seen_, remaining_
  std::filesystem::path file_;
  struct stat seen_ {};
  int64_t remaining_ = -1;  // bytes; -1: unlimited
};

FreeSpace g_space;

// ControlSyncs: the file is read again on every sync while armed (tests only).
class SyncControl {
 public:
  void Arm(const std::filesystem::path& file) {
    std::lock_guard lk(mu_);
    file_ = file;
    armed_.store(!file.empty(), std::memory_order_release);
  }
  bool armed() const { return armed_.load(std::memory_order_acquire); }

  // SQLITE_OK once the file lets the sync through, or SQLITE_IOERR_FSYNC.
  int Wait(bool main_db) {
    bool counted = false;
    for (;;) {
      std::string word;
      {
        std::lock_guard lk(mu_);
        std::ifstream in(file_);
        in >> word;
      }
      const bool hold = word == "hold" || (word == "hold-db" && main_db);
      if (hold != counted) {
        held_.fetch_add(hold ? 1 : -1, std::memory_order_relaxed);
        counted = hold;
      }
      if (word == "fail") return SQLITE_IOERR_FSYNC;
      if (!hold) return SQLITE_OK;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  int held() const { return held_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> armed_{false};
  std::atomic<int> held_{0};
  std::mutex mu_;  // guards file_
  std::filesystem::path file_;
};

SyncControl g_syncs;

int Injected(int io_error) {
  switch (g_fault.load(std::memory_order_relaxed)) {
    case Fault::kDiskFull:
      return SQLITE_FULL;
    case Fault::kIOError:
      return io_error;
    case Fault::kNone:
      break;
  }
  return SQLITE_OK;
}

int Close(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  auto* ff = reinterpret_cast<FaultFile*>(f);
  int flushed = SQLITE_OK;
  if (ff->wal) {  // a last try; what still fails to be written is dropped with the buffer
    if (r->pMethods) flushed = ff->wal->Flush(r);
    delete ff->wal;
    ff->wal = nullptr;
  }
  const int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
  return flushed != SQLITE_OK ? flushed : rc;
}
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  if (int rc = FlushWal(f)) return rc;
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (int rc = Injected(SQLITE_IOERR_WRITE)) return rc;
  const int fits = g_space.armed() ? g_space.Take(n) : n;
  if (fits < n) {
    // A short write, then ENOSPC: what write(2) does when the disk fills mid-write.
    if (int rc = FlushWal(f)) return rc;
    if (fits > 0) {
      if (int rc = Real(f)->pMethods->xWrite(Real(f), buf, fits, off)) return rc;
    }
    return SQLITE_FULL;
  }
  if (WalBuffer* wal = Wal(f)) return wal->Write(Real(f), buf, n, off);
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = Injected(SQLITE_IOERR_TRUNCATE)) return rc;
  if (int rc = FlushWal(f)) return rc;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  // Writes that returned go to the base file first, whatever follows (a fault fails the sync).
  if (int rc = FlushWal(f)) return rc;
  if (int rc = Injected(SQLITE_IOERR_FSYNC)) return rc;
  if (g_syncs.armed()) {
    if (int rc = g_syncs.Wait(reinterpret_cast<FaultFile*>(f)->main_db)) return rc;
  }
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (int rc = FlushWal(f)) return rc;
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  if (int rc = FlushWal(f)) return rc;
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int pg, int pgsz, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, pgsz, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* ff = reinterpret_cast<FaultFile*>(file);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  ff->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  ff->wal = nullptr;
  std::memset(ff->real, 0, g_base->szOsFile);
  int rc = g_base->xOpen(g_base, name, ff->real, flags, out_flags);
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0 && (flags & SQLITE_OPEN_READWRITE) != 0) {
    ff->wal = new WalBuffer();
  }
  // SQLite calls xClose only when pMethods is set, so set it only once the real file is open.
  ff->base.pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
  return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_base->xDelete(g_base, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_base->xAccess(g_base, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}

}  // namespace

const char* FaultVfsName() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    g_vfs = *g_base;  // inherit randomness, sleep, time, dlopen and the rest
    g_vfs.zName = "palika-fault";
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_base->szOsFile;
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.xAccess = Access;
    g_vfs.xFullPathname = FullPathname;
    g_vfs.pNext = nullptr;
    sqlite3_vfs_register(&g_vfs, 0);
  });
  return g_vfs.zName;
}

void InjectFault(Fault fault) { g_fault.store(fault, std::memory_order_relaxed); }
Fault CurrentFault() { return g_fault.load(std::memory_order_relaxed); }

void SimulateFreeSpace(const std::filesystem::path& file) { g_space.Arm(file); }

void ControlSyncs(const std::filesystem::path& file) { g_syncs.Arm(file); }
int HeldSyncs() { return g_syncs.held(); }

}  // namespace palika::store::sqlite
