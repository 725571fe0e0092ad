#pragma once
// RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256: leaf and node hashes, the tree head of a
// list of leaves, a compact range (the O(log n) frontier an append-only log keeps), and inclusion
// and consistency proofs with their verifiers (RFC 9162 sections 2.1.3 and 2.1.4).
// Everything here is a pure function or a value type: thread-compatible, no shared state.
// Proof generators take the leaf hashes; a precondition broken there is a bug (PALIKA_ASSERT).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace palika::ledger {

using Hash = std::array<uint8_t, 32>;

// SHA-256(0x00 || entry_bytes): the hash of one log entry (RFC 6962 section 2.1).
Hash LeafHash(std::string_view entry_bytes);
// SHA-256(0x01 || left || right): the hash of an interior node.
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256 of the empty string: the root of a tree with no leaves.
Hash EmptyRoot();

// MTH(D[n]) of RFC 6962 section 2.1: splits at the largest power of two smaller than n.
Hash RootFromLeaves(std::span<const Hash> leaf_hashes);

// Lower-case hex of the 32 bytes, for logs and reports.
std::string HashHex(const Hash& hash);
// The 32 bytes of a hash as a string, and back (nullopt unless exactly 32 bytes).
std::string HashBytes(const Hash& hash);
std::optional<Hash> HashFromBytes(std::string_view bytes);

// The frontier of an append-only Merkle tree: for a tree of n leaves, the roots of its perfect
// subtrees, one per set bit of n, left (largest) to right (smallest). Enough to append a leaf and
// to compute the root without keeping the leaves. A value type; not thread-safe to mutate.
class CompactRange {
 public:
  CompactRange() = default;  // the empty tree

  void Append(const Hash& leaf_hash);
  uint64_t size() const { return size_; }
  // The tree head of the leaves appended so far; EmptyRoot() when there are none.
  Hash Root() const;
  // The perfect-subtree roots, largest first; hashes().size() == popcount(size()).
  const std::vector<Hash>& hashes() const { return hashes_; }

  // Versioned byte form: 0x01 || size (8 bytes, big-endian) || the hashes, 32 bytes each.
  std::string Serialize() const;
  // Corruption if the bytes are not exactly what Serialize writes for some tree.
  static Result<CompactRange> Deserialize(std::string_view bytes);

  bool operator==(const CompactRange&) const = default;

 private:
  // Invariant: hashes_.size() == std::popcount(size_).
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

// The audit path for leaf `index` in the tree of the first `size` leaves (RFC 6962 PATH).
// Requires index < size <= leaves.size().
std::vector<Hash> InclusionProof(std::span<const Hash> leaves, uint64_t index, uint64_t size);
// True iff `proof` shows `leaf` (a leaf hash) is at `index` in the tree of `size` with `root`.
bool VerifyInclusion(const Hash& leaf, uint64_t index, uint64_t size, std::span<const Hash> proof,
                     const Hash& root);

// The proof that the tree of the first m leaves is a prefix of the tree of the first n
// (RFC 6962 PROOF); empty when m == 0 or m == n. Requires m <= n <= leaves.size().
std::vector<Hash> ConsistencyProof(std::span<const Hash> leaves, uint64_t m, uint64_t n);
// True iff `proof` shows the tree of size m with old_root is a prefix of the tree of size n with
// new_root (RFC 9162 section 2.1.4.2). For m == n the proof must be empty and the roots equal;
// for m == 0 it must be empty and old_root must be EmptyRoot().
bool VerifyConsistency(uint64_t m, uint64_t n, const Hash& old_root, const Hash& new_root,
                       std::span<const Hash> proof);

}  // namespace palika::ledger
