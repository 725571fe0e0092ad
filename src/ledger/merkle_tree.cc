#include "ledger/merkle_tree.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <bit>
#include <cstring>

#include "core/check.h"
#include "core/encoding.h"

namespace palika::ledger {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;
constexpr uint8_t kCompactRangeVersion = 0x01;

// SHA-256 of prefix || a || b, streamed so that no concatenated copy is made.
// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA instructions where it has them:
// every entry is hashed as it is appended (and again by verify and restore), and libsodium's
// portable SHA-256 cost about a tenth of a payment's CPU time. Same function, same bytes.
const EVP_MD* Sha256() {
  static const EVP_MD* md = [] {
    const EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    PALIKA_ASSERT(m != nullptr);
    return m;
  }();
  return md;
}

Hash PrefixedSha256(uint8_t prefix, std::span<const uint8_t> a, std::span<const uint8_t> b = {}) {
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context c;
  Hash out;
  unsigned int n = 0;
  const bool ok = c.ctx != nullptr && EVP_DigestInit_ex2(c.ctx, Sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(c.ctx, &prefix, 1) == 1 &&
                  EVP_DigestUpdate(c.ctx, a.data(), a.size()) == 1 &&
                  (b.empty() || EVP_DigestUpdate(c.ctx, b.data(), b.size()) == 1) &&
                  EVP_DigestFinal_ex(c.ctx, out.data(), &n) == 1;
  PALIKA_ASSERT(ok && n == out.size());
  return out;
}

// The largest power of two strictly smaller than n (RFC 6962's k); n must be at least 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// RFC 6962 PATH(m, D[n]): leaves are the n leaf hashes of the (sub)tree.
void AppendPath(std::span<const Hash> leaves, uint64_t m, std::vector<Hash>& out) {
  const uint64_t n = leaves.size();
  if (n <= 1) {
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    AppendPath(leaves.first(k), m, out);
    out.push_back(RootFromLeaves(leaves.subspan(k)));
  } else {
    AppendPath(leaves.subspan(k), m - k, out);
    out.push_back(RootFromLeaves(leaves.first(k)));
  }
}

// RFC 6962 SUBPROOF(m, D[n], b).
void AppendSubproof(std::span<const Hash> leaves, uint64_t m, bool whole_old_tree,
                    std::vector<Hash>& out) {
  const uint64_t n = leaves.size();
  if (m == n) {
    // The old tree's root is a node of the new tree; the verifier knows it unless it is a subtree.
    if (!whole_old_tree) {
      out.push_back(RootFromLeaves(leaves));
    }
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    AppendSubproof(leaves.first(k), m, whole_old_tree, out);
    out.push_back(RootFromLeaves(leaves.subspan(k)));
  } else {
    AppendSubproof(leaves.subspan(k), m - k, false, out);
    out.push_back(RootFromLeaves(leaves.first(k)));
  }
}

// Shifts fn and sn right together until fn's lowest bit is set or fn is 0 (RFC 9162 wording).
void ShiftUntilLsbSet(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

void PutBigEndian64(uint64_t v, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(v >> shift));
  }
}

uint64_t GetBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<uint8_t>(in[i]);
  }
  return v;
}

}  // namespace

Hash LeafHash(std::string_view entry_bytes) {
  return PrefixedSha256(kLeafPrefix, std::span(reinterpret_cast<const uint8_t*>(entry_bytes.data()),
                                               entry_bytes.size()));
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return PrefixedSha256(kNodePrefix, left, right);
}

Hash EmptyRoot() {
  Hash out;
  crypto_hash_sha256(out.data(), nullptr, 0);
  return out;
}

Hash RootFromLeaves(std::span<const Hash> leaf_hashes) {
  const uint64_t n = leaf_hashes.size();
  if (n == 0) {
    return EmptyRoot();
  }
  if (n == 1) {
    return leaf_hashes[0];
  }
  const uint64_t k = SplitPoint(n);
  return NodeHash(RootFromLeaves(leaf_hashes.first(k)), RootFromLeaves(leaf_hashes.subspan(k)));
}

std::string HashHex(const Hash& hash) { return HexEncode(HashBytes(hash)); }

std::string HashBytes(const Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::optional<Hash> HashFromBytes(std::string_view bytes) {
  Hash out;
  if (bytes.size() != out.size()) {
    return std::nullopt;
  }
  std::memcpy(out.data(), bytes.data(), out.size());
  return out;
}

void CompactRange::Append(const Hash& leaf_hash) {
  hashes_.push_back(leaf_hash);
  ++size_;
  // Each trailing zero bit of the new size is a pair of equal-height subtrees to merge.
  for (uint64_t s = size_; (s & 1) == 0; s >>= 1) {
    Hash right = hashes_.back();
    hashes_.pop_back();
    hashes_.back() = NodeHash(hashes_.back(), right);
  }
  PALIKA_ASSERT(hashes_.size() == static_cast<size_t>(std::popcount(size_)));
}

Hash CompactRange::Root() const {
  if (hashes_.empty()) {
    return EmptyRoot();
  }
  // Fold right to left: the smallest subtree is the rightmost child at every level.
  Hash root = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) {
    root = NodeHash(hashes_[i], root);
  }
  return root;
}

std::string CompactRange::Serialize() const {
  std::string out;
  out.reserve(1 + 8 + hashes_.size() * sizeof(Hash));
  out.push_back(static_cast<char>(kCompactRangeVersion));
  PutBigEndian64(size_, out);
  for (const Hash& h : hashes_) {
    out.append(reinterpret_cast<const char*>(h.data()), h.size());
  }
  return out;
}

Result<CompactRange> CompactRange::Deserialize(std::string_view bytes) {
  if (bytes.size() < 9) {
    return Status::Corruption("compact range is truncated: " + std::to_string(bytes.size()) +
                              " bytes, need at least 9");
  }
  if (static_cast<uint8_t>(bytes[0]) != kCompactRangeVersion) {
    return Status::Corruption("compact range has unknown version " +
                              std::to_string(static_cast<uint8_t>(bytes[0])));
  }
  CompactRange range;
  range.size_ = GetBigEndian64(bytes.substr(1, 8));
  const size_t count = static_cast<size_t>(std::popcount(range.size_));
  std::string_view rest = bytes.substr(9);
  if (rest.size() != count * sizeof(Hash)) {
    return Status::Corruption("compact range of size " + std::to_string(range.size_) + " needs " +
                              std::to_string(count) + " hashes, found " +
                              std::to_string(rest.size()) + " bytes");
  }
  range.hashes_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(range.hashes_[i].data(), rest.data() + i * sizeof(Hash), sizeof(Hash));
  }
  return range;
}

std::vector<Hash> InclusionProof(std::span<const Hash> leaves, uint64_t index, uint64_t size) {
  PALIKA_ASSERT(index < size && size <= leaves.size());
  std::vector<Hash> proof;
  AppendPath(leaves.first(size), index, proof);
  return proof;
}

bool VerifyInclusion(const Hash& leaf, uint64_t index, uint64_t size, std::span<const Hash> proof,
                     const Hash& root) {
  // RFC 9162 section 2.1.3.2.
  if (index >= size) {
    return false;
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return false;  // the proof is longer than the path
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      ShiftUntilLsbSet(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

std::vector<Hash> ConsistencyProof(std::span<const Hash> leaves, uint64_t m, uint64_t n) {
  PALIKA_ASSERT(m <= n && n <= leaves.size());
  std::vector<Hash> proof;
  if (m == 0 || m == n) {
    return proof;
  }
  AppendSubproof(leaves.first(n), m, true, proof);
  return proof;
}

bool VerifyConsistency(uint64_t m, uint64_t n, const Hash& old_root, const Hash& new_root,
                       std::span<const Hash> proof) {
  if (m > n) {
    return false;
  }
  if (m == n) {
    return proof.empty() && old_root == new_root;
  }
  // The empty tree is a prefix of every tree; its root is fixed, so check that too.
  if (m == 0) {
    return proof.empty() && old_root == EmptyRoot();
  }
  // RFC 9162 section 2.1.4.2.
  if (proof.empty()) {
    return false;
  }
  // When m is a power of two the old root is itself a node of the new tree and is left out of the
  // proof; the verifier starts from it.
  const bool start_with_old_root = std::has_single_bit(m);
  const Hash& first = start_with_old_root ? old_root : proof[0];
  std::span<const Hash> rest = start_with_old_root ? proof : proof.subspan(1);

  uint64_t fn = m - 1;
  uint64_t sn = n - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = first;
  Hash sr = first;
  for (const Hash& c : rest) {
    if (sn == 0) {
      return false;  // the proof is longer than the path
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftUntilLsbSet(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

}  // namespace palika::ledger
