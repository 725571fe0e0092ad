#pragma once
// A fault-injection seam under SQLite (LevelDB's ErrorEnv, for this store): a VFS that passes
// every call to the operating system's VFS, except that a test can make writes and syncs fail
// as a full disk (SQLITE_FULL, i.e. ENOSPC) or as an I/O error, or can give SQLite a limited
// amount of free space. Every Database opens files through it, so a test exercises the real code
// paths. Thread-safe.
//
// With no fault set it forwards every call, but for one thing: a WAL's writes are gathered. SQLite
// writes a WAL frame as two writes (the 24-byte header, then the page) and a transaction's frames
// one after another; the VFS holds contiguous writes to a WAL in memory and writes them as one
// write of at most 0x1ffff bytes (the most the unix VFS writes at once), at the latest when the
// page of the transaction's commit frame (the header's database size is not zero) arrives, so all
// of a transaction's frames are in the file before its COMMIT returns. Any other use of the file
// (a read, sync, size, truncate, file control or close) and a write that does not follow on what
// is held write it first. A simulated fault applies to each of SQLite's writes as it is made.

#include <atomic>
#include <filesystem>

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

// Simulated free space, for tests of the real server (`palika serve` arms it when the environment
// variable PALIKA_TEST_DISK_SPACE_FILE names a file). `file` holds a decimal number of bytes that
// SQLite may still write, counted from the moment the file was (re)written; each write takes its
// length from it. The part of a write that does not fit is written and the write fails with
// SQLITE_FULL, as write(2) does on ENOSPC; later writes fail until the file is rewritten with a
// larger number, or removed. No file, or one that is not a number: unlimited. An overwrite costs
// space too, which a real disk would not charge: stricter than a full disk, never laxer. Reads
// and syncs are not affected. Replace the file by rename so the server never reads half of it.
void SimulateFreeSpace(const std::filesystem::path& file);

// Syncs under a test's control (`palika serve` arms it when the environment variable
// PALIKA_TEST_SYNC_FAULT_FILE names a file). While `file` holds "hold", every sync waits, looking
// again every few milliseconds; "hold-db": only syncs of main database files wait (in WAL mode
// only a WAL checkpoint syncs one, after copying pages into it), those of the WAL pass; "fail":
// every sync fails with SQLITE_IOERR_FSYNC (fsync's EIO); anything else, or no file: syncs pass.
// Writes and reads are not affected. An empty path disarms it.
void ControlSyncs(const std::filesystem::path& file);
// How many syncs are waiting under ControlSyncs right now.
int HeldSyncs();

}  // namespace palika::store::sqlite
