#pragma once
// A ledger entry and its byte encoding for hashing.
//
// An entry is one event in one ULB's log (or the state's): who (actor), when (UTC microseconds),
// what (type, canonical JSON payload), where (ulb, origin node, gapless seq from 1).
//
// Encoding v1 (what the Merkle leaf hashes, RFC 6962 leaf = SHA-256(0x00 || bytes)): the canonical
// JSON object
//   {"actor":A,"origin":O,"payload":P,"seq":N,"time":T,"type":Y,"ulb":U,"v":1}
// with keys in that (sorted) order, no spaces, strings escaped as core/json.h does, P the stored
// payload text verbatim (itself canonical JSON). A later version bumps "v" and keeps v1 readable.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace palika::ledger {

inline constexpr int kEntryEncodingVersion = 1;

struct Entry {
  std::string ulb;      // "0152", or "state" for the state ledger
  std::string origin;   // the node that appended it
  uint64_t seq = 0;     // 1, 2, ... per (ulb, origin), gapless
  int64_t time_us = 0;  // UTC microseconds since the epoch
  std::string actor;    // user id, or "system"
  std::string type;     // "ulb.added", "payment.received", ...
  std::string payload;  // canonical JSON object text

  bool operator==(const Entry&) const = default;
};

// The bytes that the Merkle leaf hashes (encoding v1 above).
std::string EncodeEntry(const Entry& e);

}  // namespace palika::ledger
