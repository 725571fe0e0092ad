#pragma once
// A fault-injection seam under SQLite (LevelDB's ErrorEnv, for this store): a VFS that passes
// every call to the operating system's VFS, except that a test can make writes and syncs fail
// as a full disk (SQLITE_FULL, i.e. ENOSPC) or as an I/O error. Every Database opens files through
// it, so a test exercises the real code paths; with no fault set it only forwards. Thread-safe.

#include <atomic>

namespace palika::store::sqlite {

enum class Fault {
  kNone,
  kDiskFull,  // writes and syncs fail with SQLITE_FULL
  kIOError,   // writes and syncs fail with SQLITE_IOERR_WRITE / SQLITE_IOERR_FSYNC
};

// Registers the VFS once (idempotent) and returns its name for sqlite3_open_v2.
const char* FaultVfsName();

// Sets the fault for every file of every Database in this process.
void InjectFault(Fault fault);
Fault CurrentFault();

}  // namespace palika::store::sqlite
