#include "ledger/merkle_tree.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/encoding.h"

namespace palika::ledger {
namespace {

Hash H(std::string_view hex) {
  std::optional<std::string> bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.has_value()) << hex;
  std::optional<Hash> h = bytes ? HashFromBytes(*bytes) : std::nullopt;
  EXPECT_TRUE(h.has_value()) << hex;
  return h.value_or(Hash{});
}

std::vector<std::string> Hexes(const std::vector<Hash>& hashes) {
  std::vector<std::string> out;
  out.reserve(hashes.size());
  for (const Hash& h : hashes) {
    out.push_back(HashHex(h));
  }
  return out;
}

// ---- Published RFC 6962 test vectors ----
// The leaves, node hashes and roots are those of Certificate Transparency / Trillian:
// github.com/transparency-dev/merkle testonly/constants.go. The proofs are from
// proof/verify_test.go in the same repository (their leaf numbers are 1-based; ours 0-based).

const std::vector<std::string> kLeafInputsHex = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

// NodeHashes()[level][index].
const std::vector<std::vector<std::string>> kNodeHashes = {
    {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
     "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
     "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
     "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"},
    {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
     "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"},
    {"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
    {"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"},
};

// RootHashes()[size] for sizes 0..8.
const std::vector<std::string> kRoots = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct InclusionVector {
  uint64_t index;
  uint64_t size;
  std::vector<std::string> proof;
};

const std::vector<InclusionVector> kInclusionVectors = {
    {0, 1, {}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  uint64_t m;
  uint64_t n;
  std::vector<std::string> proof;
};

const std::vector<ConsistencyVector> kConsistencyVectors = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Hash> VectorLeafHashes() {
  std::vector<Hash> out;
  out.reserve(kLeafInputsHex.size());
  for (const std::string& hex : kLeafInputsHex) {
    out.push_back(LeafHash(HexDecode(hex).value()));
  }
  return out;
}

std::vector<Hash> ToHashes(const std::vector<std::string>& hexes) {
  std::vector<Hash> out;
  out.reserve(hexes.size());
  for (const std::string& hex : hexes) {
    out.push_back(H(hex));
  }
  return out;
}

TEST(MerkleTree, LeafAndNodeHashesMatchPublishedVectors) {
  const std::vector<Hash> leaves = VectorLeafHashes();
  for (size_t i = 0; i < leaves.size(); ++i) {
    EXPECT_EQ(HashHex(leaves[i]), kNodeHashes[0][i]) << "leaf " << i;
  }
  for (size_t level = 1; level < kNodeHashes.size(); ++level) {
    for (size_t i = 0; i < kNodeHashes[level].size(); ++i) {
      EXPECT_EQ(
          HashHex(NodeHash(H(kNodeHashes[level - 1][2 * i]), H(kNodeHashes[level - 1][2 * i + 1]))),
          kNodeHashes[level][i])
          << "level " << level << " index " << i;
    }
  }
}

TEST(MerkleTree, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(HashHex(EmptyRoot()), kRoots[0]);
  EXPECT_EQ(HashHex(RootFromLeaves({})), kRoots[0]);
}

// golang.org/x/mod/sumdb/tlog note_test.go: RecordHash("hello world") in a tree note. Go's
// RecordHash is the RFC 6962 leaf hash.
TEST(MerkleTree, LeafHashMatchesGoSumdbGolden) {
  EXPECT_EQ(Base64Encode(HashBytes(LeafHash("hello world"))),
            "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=");
}

TEST(MerkleTree, RootsMatchPublishedVectors) {
  const std::vector<Hash> leaves = VectorLeafHashes();
  CompactRange range;
  EXPECT_EQ(HashHex(range.Root()), kRoots[0]);
  for (size_t size = 1; size <= leaves.size(); ++size) {
    EXPECT_EQ(HashHex(RootFromLeaves(std::span(leaves).first(size))), kRoots[size])
        << "size " << size;
    range.Append(leaves[size - 1]);
    EXPECT_EQ(range.size(), size);
    EXPECT_EQ(HashHex(range.Root()), kRoots[size]) << "size " << size;
  }
}

// testonly/constants.go CompactTrees(): the frontier after each append.
TEST(MerkleTree, CompactRangeHoldsThePublishedFrontier) {
  const auto& nh = kNodeHashes;
  const std::vector<std::vector<std::string>> want = {
      {},         {nh[0][0]},           {nh[1][0]},           {nh[1][0], nh[0][2]},
      {nh[2][0]}, {nh[2][0], nh[0][4]}, {nh[2][0], nh[1][2]}, {nh[2][0], nh[1][2], nh[0][6]},
      {nh[3][0]},
  };
  const std::vector<Hash> leaves = VectorLeafHashes();
  CompactRange range;
  EXPECT_EQ(Hexes(range.hashes()), want[0]);
  for (size_t size = 1; size <= leaves.size(); ++size) {
    range.Append(leaves[size - 1]);
    EXPECT_EQ(Hexes(range.hashes()), want[size]) << "size " << size;
  }
}

TEST(MerkleTree, InclusionProofsMatchPublishedVectors) {
  const std::vector<Hash> leaves = VectorLeafHashes();
  for (const InclusionVector& v : kInclusionVectors) {
    SCOPED_TRACE("index " + std::to_string(v.index) + " size " + std::to_string(v.size));
    EXPECT_EQ(Hexes(InclusionProof(leaves, v.index, v.size)), v.proof);
    EXPECT_TRUE(
        VerifyInclusion(leaves[v.index], v.index, v.size, ToHashes(v.proof), H(kRoots[v.size])));
  }
}

TEST(MerkleTree, ConsistencyProofsMatchPublishedVectors) {
  const std::vector<Hash> leaves = VectorLeafHashes();
  for (const ConsistencyVector& v : kConsistencyVectors) {
    SCOPED_TRACE("m " + std::to_string(v.m) + " n " + std::to_string(v.n));
    EXPECT_EQ(Hexes(ConsistencyProof(leaves, v.m, v.n)), v.proof);
    EXPECT_TRUE(VerifyConsistency(v.m, v.n, H(kRoots[v.m]), H(kRoots[v.n]), ToHashes(v.proof)));
  }
}

// The corruptions proof/verify_test.go tries on each published inclusion proof.
TEST(MerkleTree, CorruptedPublishedInclusionProofsFail) {
  const std::vector<Hash> leaves = VectorLeafHashes();
  const Hash some_hash = H("abacaba000000000000000000000000000000000000000000060061e00123456");
  for (const InclusionVector& v : kInclusionVectors) {
    if (v.proof.empty()) {
      continue;
    }
    SCOPED_TRACE("index " + std::to_string(v.index) + " size " + std::to_string(v.size));
    const std::vector<Hash> proof = ToHashes(v.proof);
    const Hash root = H(kRoots[v.size]);
    const Hash leaf = leaves[v.index];
    EXPECT_FALSE(VerifyInclusion(leaf, v.index - 1, v.size, proof, root));  // wraps when 0
    EXPECT_FALSE(VerifyInclusion(leaf, v.index + 1, v.size, proof, root));
    EXPECT_FALSE(VerifyInclusion(leaf, v.index ^ 2, v.size, proof, root));
    EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size * 2, proof, root));
    EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size / 2, proof, root));
    EXPECT_FALSE(VerifyInclusion(LeafHash("WrongLeaf"), v.index, v.size, proof, root));
    EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size, proof, EmptyRoot()));
    EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size, proof, some_hash));
    std::vector<Hash> longer = proof;
    longer.push_back(Hash{});
    EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size, longer, root));
    longer.back() = root;
    EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size, longer, root));
    std::vector<Hash> preceded = proof;
    preceded.insert(preceded.begin(), root);
    EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size, preceded, root));
    std::vector<Hash> removed(proof.begin(), proof.end() - 1);
    EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size, removed, root));
    if (proof.size() > 1) {
      std::vector<Hash> inserted = proof;
      inserted.insert(inserted.begin() + 1, some_hash);
      EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size, inserted, root));
    }
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Hash> flipped = proof;
      flipped[i][0] ^= 8;
      EXPECT_FALSE(VerifyInclusion(leaf, v.index, v.size, flipped, root)) << "element " << i;
    }
  }
}

// The corruptions proof/verify_test.go tries on each published consistency proof.
TEST(MerkleTree, CorruptedPublishedConsistencyProofsFail) {
  for (const ConsistencyVector& v : kConsistencyVectors) {
    if (v.proof.empty()) {
      continue;
    }
    SCOPED_TRACE("m " + std::to_string(v.m) + " n " + std::to_string(v.n));
    const std::vector<Hash> proof = ToHashes(v.proof);
    const Hash r1 = H(kRoots[v.m]);
    const Hash r2 = H(kRoots[v.n]);
    const Hash wrong = LeafHash("WrongRoot");
    EXPECT_FALSE(VerifyConsistency(v.m - 1, v.n, r1, r2, proof));
    EXPECT_FALSE(VerifyConsistency(v.m + 1, v.n, r1, r2, proof));
    EXPECT_FALSE(VerifyConsistency(v.m ^ 2, v.n, r1, r2, proof));
    EXPECT_FALSE(VerifyConsistency(v.m, v.n * 2, r1, r2, proof));
    EXPECT_FALSE(VerifyConsistency(v.m, v.n / 2, r1, r2, proof));
    EXPECT_FALSE(VerifyConsistency(v.m, v.n, wrong, r2, proof));
    EXPECT_FALSE(VerifyConsistency(v.m, v.n, r1, wrong, proof));
    EXPECT_FALSE(VerifyConsistency(v.m, v.n, r2, r1, proof));
    EXPECT_FALSE(VerifyConsistency(v.m, v.n, r1, r2, {}));
    for (const Hash& extra : {Hash{}, r1, r2}) {
      std::vector<Hash> longer = proof;
      longer.push_back(extra);
      EXPECT_FALSE(VerifyConsistency(v.m, v.n, r1, r2, longer));
    }
    for (const Hash& extra : {Hash{}, r1, r2, proof[0]}) {
      std::vector<Hash> preceded = proof;
      preceded.insert(preceded.begin(), extra);
      EXPECT_FALSE(VerifyConsistency(v.m, v.n, r1, r2, preceded));
    }
    std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
    EXPECT_FALSE(VerifyConsistency(v.m, v.n, r1, r2, truncated));
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Hash> flipped = proof;
      flipped[i][0] ^= 16;
      EXPECT_FALSE(VerifyConsistency(v.m, v.n, r1, r2, flipped)) << "element " << i;
    }
  }
}

// proof/verify_test.go TestVerifyConsistency's edge cases, with Palika's stricter rule that the
// old root of an empty tree must be the empty root.
TEST(MerkleTree, ConsistencyEdgeCases) {
  const Hash a = LeafHash("a");
  const Hash b = LeafHash("b");
  const Hash empty = EmptyRoot();
  EXPECT_FALSE(VerifyConsistency(0, 0, a, b, {}));
  EXPECT_FALSE(VerifyConsistency(1, 1, a, b, {}));
  EXPECT_TRUE(VerifyConsistency(0, 0, empty, empty, {}));
  EXPECT_TRUE(VerifyConsistency(0, 1, empty, b, {}));
  EXPECT_FALSE(VerifyConsistency(0, 1, a, b, {}));  // not the empty tree's root
  EXPECT_TRUE(VerifyConsistency(1, 1, b, b, {}));
  EXPECT_FALSE(VerifyConsistency(1, 0, a, b, {}));  // time travel
  EXPECT_FALSE(VerifyConsistency(2, 1, a, b, {}));
  EXPECT_FALSE(VerifyConsistency(1, 2, a, b, {}));  // a proof is needed
  const std::vector<Hash> one = {empty};
  EXPECT_FALSE(VerifyConsistency(0, 0, empty, empty, one));  // roots match, proof not empty
  EXPECT_FALSE(VerifyConsistency(0, 1, empty, empty, one));
  EXPECT_FALSE(VerifyConsistency(1, 1, empty, empty, one));
}

TEST(MerkleTree, InclusionEdgeCases) {
  const Hash leaf = LeafHash("data");
  // A one-leaf tree's root is its leaf hash, and the proof is empty.
  EXPECT_TRUE(VerifyInclusion(leaf, 0, 1, {}, leaf));
  EXPECT_FALSE(VerifyInclusion(leaf, 0, 1, {}, EmptyRoot()));
  EXPECT_FALSE(VerifyInclusion(leaf, 0, 0, {}, leaf));  // nothing is in an empty tree
  EXPECT_FALSE(VerifyInclusion(leaf, 1, 1, {}, leaf));
  EXPECT_FALSE(VerifyInclusion(leaf, 2, 1, {}, leaf));
  EXPECT_FALSE(VerifyInclusion(leaf, 1, 0, {}, leaf));
}

// ---- Properties over random trees ----

std::vector<Hash> RandomLeaves(std::mt19937_64& rng, size_t n) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) {
    std::string data(rng() % 40, '\0');
    for (char& c : data) {
      c = static_cast<char>(rng());
    }
    data += std::to_string(i);  // distinct leaves, so a wrong leaf is really wrong
    out.push_back(LeafHash(data));
  }
  return out;
}

// roots[k] is the root of the first k leaves, computed incrementally.
std::vector<Hash> PrefixRoots(const std::vector<Hash>& leaves) {
  std::vector<Hash> roots;
  CompactRange range;
  roots.push_back(range.Root());
  for (const Hash& leaf : leaves) {
    range.Append(leaf);
    roots.push_back(range.Root());
  }
  return roots;
}

// Every size up to 64, then random sizes up to 300.
std::vector<uint64_t> TestSizes(std::mt19937_64& rng) {
  std::vector<uint64_t> sizes;
  for (uint64_t n = 1; n <= 64; ++n) {
    sizes.push_back(n);
  }
  for (int i = 0; i < 12; ++i) {
    sizes.push_back(65 + rng() % 236);
  }
  sizes.push_back(256);
  sizes.push_back(300);
  return sizes;
}

TEST(MerkleTreeProperty, CompactRangeRootEqualsRootFromLeaves) {
  std::mt19937_64 rng(6962);
  const std::vector<Hash> leaves = RandomLeaves(rng, 300);
  CompactRange range;
  for (size_t n = 1; n <= leaves.size(); ++n) {
    range.Append(leaves[n - 1]);
    ASSERT_EQ(range.Root(), RootFromLeaves(std::span(leaves).first(n))) << "size " << n;
    ASSERT_EQ(range.hashes().size(), static_cast<size_t>(std::popcount(n)));
  }
}

TEST(MerkleTreeProperty, EveryInclusionProofVerifiesAndCorruptionsFail) {
  std::mt19937_64 rng(9162);
  const std::vector<Hash> leaves = RandomLeaves(rng, 300);
  const std::vector<Hash> roots = PrefixRoots(leaves);
  for (uint64_t n : TestSizes(rng)) {
    SCOPED_TRACE("size " + std::to_string(n));
    const Hash& root = roots[n];
    // Small trees: every index; larger ones: a sample, to keep the sanitizer build quick.
    for (uint64_t i = 0; i < n; i += (n <= 64 ? 1 : 1 + rng() % 13)) {
      const std::vector<Hash> proof = InclusionProof(leaves, i, n);
      ASSERT_TRUE(VerifyInclusion(leaves[i], i, n, proof, root)) << "index " << i;
      // Wrong index or wrong leaf.
      for (uint64_t j = 0; j < n; j += (n <= 64 ? 1 : 1 + rng() % 31)) {
        if (j == i) {
          continue;
        }
        EXPECT_FALSE(VerifyInclusion(leaves[i], j, n, proof, root)) << i << " as " << j;
        EXPECT_FALSE(VerifyInclusion(leaves[j], i, n, proof, root)) << j << " at " << i;
      }
      EXPECT_FALSE(VerifyInclusion(leaves[i], i + n, n, proof, root));
      // Any flipped byte of any element.
      for (size_t e = 0; e < proof.size(); ++e) {
        std::vector<Hash> bad = proof;
        const size_t byte = rng() % 32;
        bad[e][byte] ^= static_cast<uint8_t>(1 + rng() % 255);
        EXPECT_FALSE(VerifyInclusion(leaves[i], i, n, bad, root)) << "element " << e;
      }
      std::vector<Hash> flipped_root = {root};
      flipped_root[0][rng() % 32] ^= 1;
      EXPECT_FALSE(VerifyInclusion(leaves[i], i, n, proof, flipped_root[0]));
      // A wrong size: the proof passes against another tree's real root only if it is also
      // that tree's proof (a size and its root must come from the same checkpoint).
      for (uint64_t other : {n - 1, n + 1, 2 * n, n / 2}) {
        if (other <= i || other > leaves.size() || other == n) {
          continue;
        }
        const bool same = InclusionProof(leaves, i, other) == proof;
        EXPECT_EQ(VerifyInclusion(leaves[i], i, other, proof, roots[other]), same)
            << "size " << other;
      }
    }
  }
}

TEST(MerkleTreeProperty, EveryConsistencyProofVerifiesAndCorruptionsFail) {
  std::mt19937_64 rng(2014);
  const std::vector<Hash> leaves = RandomLeaves(rng, 300);
  const std::vector<Hash> roots = PrefixRoots(leaves);
  for (uint64_t n : TestSizes(rng)) {
    SCOPED_TRACE("n " + std::to_string(n));
    for (uint64_t m = 0; m <= n; m += (n <= 64 ? 1 : 1 + rng() % 13)) {
      const std::vector<Hash> proof = ConsistencyProof(leaves, m, n);
      ASSERT_TRUE(VerifyConsistency(m, n, roots[m], roots[n], proof)) << "m " << m;
      if (m == 0 || m == n) {
        EXPECT_TRUE(proof.empty());
        continue;
      }
      EXPECT_FALSE(VerifyConsistency(m, n, roots[n], roots[m], proof));
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[m], proof));
      EXPECT_FALSE(VerifyConsistency(n, m, roots[n], roots[m], proof));
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], {}));
      for (size_t e = 0; e < proof.size(); ++e) {
        std::vector<Hash> bad = proof;
        bad[e][rng() % 32] ^= static_cast<uint8_t>(1 + rng() % 255);
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], bad)) << "element " << e;
      }
      std::vector<Hash> longer = proof;
      longer.push_back(roots[n]);
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], longer));
      std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], shorter));
      // Wrong sizes, with the real roots of those sizes: only the same proof may pass.
      for (uint64_t m2 : {m - 1, m + 1}) {
        if (m2 == 0 || m2 >= n) {
          continue;
        }
        const bool same = ConsistencyProof(leaves, m2, n) == proof;
        EXPECT_EQ(VerifyConsistency(m2, n, roots[m2], roots[n], proof), same) << "m " << m2;
      }
      for (uint64_t n2 : {n - 1, n + 1}) {
        if (n2 <= m || n2 > leaves.size()) {
          continue;
        }
        const bool same = ConsistencyProof(leaves, m, n2) == proof;
        EXPECT_EQ(VerifyConsistency(m, n2, roots[m], roots[n2], proof), same) << "n " << n2;
      }
    }
  }
}

// ---- CompactRange serialization ----

TEST(CompactRange, SerializeRoundTrips) {
  std::mt19937_64 rng(42);
  const std::vector<Hash> leaves = RandomLeaves(rng, 70);
  CompactRange range;
  for (size_t n = 0; n <= leaves.size(); ++n) {
    if (n > 0) {
      range.Append(leaves[n - 1]);
    }
    const std::string bytes = range.Serialize();
    EXPECT_EQ(bytes.size(), 9 + 32 * range.hashes().size());
    Result<CompactRange> back = CompactRange::Deserialize(bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, range);
    EXPECT_EQ(back->Root(), range.Root());
  }
  // A restored range keeps growing exactly like the original.
  Result<CompactRange> restored = CompactRange::Deserialize(range.Serialize());
  ASSERT_TRUE(restored.ok());
  const Hash extra = LeafHash("one more");
  range.Append(extra);
  restored->Append(extra);
  EXPECT_EQ(restored->Root(), range.Root());
}

TEST(CompactRange, SerializedFormIsDocumented) {
  CompactRange range;
  for (int i = 0; i < 5; ++i) {
    range.Append(LeafHash(std::string(1, static_cast<char>(i))));
  }
  const std::string bytes = range.Serialize();
  // version 1, size 5 big-endian, then the size-4 subtree and the fifth leaf.
  EXPECT_EQ(HexEncode(bytes.substr(0, 9)), "010000000000000005");
  EXPECT_EQ(bytes.substr(9, 32), HashBytes(range.hashes()[0]));
  EXPECT_EQ(bytes.substr(41), HashBytes(LeafHash(std::string(1, '\x04'))));
}

TEST(CompactRange, DeserializeRejectsDamagedBytes) {
  CompactRange range;
  for (int i = 0; i < 6; ++i) {
    range.Append(LeafHash(std::to_string(i)));
  }
  const std::string good = range.Serialize();
  const std::vector<std::string> bad = {
      "",
      std::string(1, '\x01'),
      good.substr(0, 8),
      good.substr(0, good.size() - 1),          // truncated hash
      good + "x",                               // trailing byte
      good + std::string(32, '\0'),             // a hash too many for size 6
      std::string(1, '\x02') + good.substr(1),  // unknown version
      std::string(1, '\x00') + good.substr(1),
  };
  for (const std::string& b : bad) {
    Result<CompactRange> r = CompactRange::Deserialize(b);
    EXPECT_FALSE(r.ok()) << HexEncode(b);
    if (!r.ok()) {
      EXPECT_EQ(r.status().kind(), StatusKind::kCorruption);
    }
  }
  // Size 7 needs three hashes; the bytes of size 6 carry two.
  std::string wrong_size = good;
  wrong_size[8] = 7;
  EXPECT_FALSE(CompactRange::Deserialize(wrong_size).ok());
}

TEST(MerkleTree, HashBytesRoundTrip) {
  const Hash h = LeafHash("x");
  EXPECT_EQ(HashFromBytes(HashBytes(h)), h);
  EXPECT_FALSE(HashFromBytes(std::string(31, 'a')).has_value());
  EXPECT_FALSE(HashFromBytes(std::string(33, 'a')).has_value());
  EXPECT_EQ(HashHex(h).size(), 64u);
}

}  // namespace
}  // namespace palika::ledger
