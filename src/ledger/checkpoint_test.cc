#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "core/encoding.h"

namespace palika::ledger {
namespace {

Hash RootFromBase64(std::string_view b64) {
  std::optional<std::string> bytes = Base64Decode(b64);
  EXPECT_TRUE(bytes.has_value()) << b64;
  std::optional<Hash> h = bytes ? HashFromBytes(*bytes) : std::nullopt;
  EXPECT_TRUE(h.has_value()) << b64;
  return h.value_or(Hash{});
}

NoteSigner MustGenerate(std::string_view name) {
  Result<NoteSigner> s = GenerateSigner(name);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// The example in c2sp.org/tlog-checkpoint. Its public key is not published.
constexpr std::string_view kSpecBody =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr std::string_view kSpecSignature =
    "— example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

// A real checkpoint signed by the Go checksum database, from google/trillian-examples
// formats/log/checkpoint_test.go (TestSumDBNoteParsing); the key is Go's built-in one
// (golang/go src/cmd/go/internal/modfetch/key.go).
constexpr std::string_view kSumdbVkey =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
constexpr std::string_view kSumdbNote =
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    "— sum.golang.org "
    "Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw="
    "\n";

TEST(Checkpoint, ParsesTheSpecExample) {
  Result<Checkpoint> cp = ParseCheckpoint(kSpecBody);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(cp->size, 20852163u);
  EXPECT_EQ(cp->root, RootFromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
  EXPECT_TRUE(cp->extensions.empty());
  EXPECT_EQ(FormatCheckpoint(*cp), kSpecBody);
}

TEST(Checkpoint, SpecExampleIsAWellFormedNoteByAnUnknownKey) {
  const NoteSigner other = MustGenerate("example.com/behind-the-sofa");
  Result<Checkpoint> cp =
      OpenCheckpoint(std::string(kSpecBody) + "\n" + std::string(kSpecSignature), other.Verifier());
  ASSERT_FALSE(cp.ok());
  EXPECT_EQ(cp.status().code(), "note_unknown_key");
}

// golang.org/x/mod sumdb/tlog note_test.go TestFormatTree: a tree of RecordHash("hello world").
TEST(Checkpoint, FormatsLikeGoSumdb) {
  const Checkpoint cp{"go.sum database tree", 123456789012, LeafHash("hello world"), {}};
  EXPECT_EQ(FormatCheckpoint(cp),
            "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n");
}

TEST(Checkpoint, OpensARealSumdbCheckpoint) {
  Result<NoteVerifier> sumdb = NoteVerifier::Parse(kSumdbVkey);
  ASSERT_TRUE(sumdb.ok()) << sumdb.status().ToString();
  Result<std::string> text = OpenNote(kSumdbNote, std::span(&*sumdb, 1));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<Checkpoint> cp = ParseCheckpoint(*text);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->origin, "go.sum database tree");
  EXPECT_EQ(cp->size, 6476701u);
  EXPECT_EQ(Base64Encode(HashBytes(cp->root)), "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=");

  // Go's log predates the convention that the key is named after the origin; Palika insists.
  Result<Checkpoint> strict = OpenCheckpoint(kSumdbNote, *sumdb);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), "checkpoint_origin_mismatch");

  // A changed size breaks the signature.
  std::string tampered(kSumdbNote);
  tampered.replace(tampered.find("6476701"), 7, "6476702");
  Result<std::string> bad = OpenNote(tampered, std::span(&*sumdb, 1));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), StatusKind::kCorruption);
}

TEST(Checkpoint, SignAndOpenRoundTrip) {
  const NoteSigner signer = MustGenerate("palika.example/ulb/0152/node-1");
  CompactRange range;
  for (int i = 0; i < 13; ++i) {
    range.Append(LeafHash("entry " + std::to_string(i)));
  }
  const std::vector<Checkpoint> cases = {
      {signer.name(), 0, EmptyRoot(), {}},
      {signer.name(), range.size(), range.Root(), {}},
      {signer.name(), std::numeric_limits<uint64_t>::max(), range.Root(), {}},
      {signer.name(), 7, range.Root(), {"ext one", "— and two"}},
  };
  for (const Checkpoint& cp : cases) {
    Result<std::string> note = SignCheckpoint(cp, signer);
    ASSERT_TRUE(note.ok()) << note.status().ToString();
    EXPECT_TRUE(note->starts_with(FormatCheckpoint(cp) + "\n— " + signer.name() + " "));
    Result<Checkpoint> opened = OpenCheckpoint(*note, signer.Verifier());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, cp);
  }
}

TEST(Checkpoint, OpenRejectsOtherKeysAndTampering) {
  const NoteSigner signer = MustGenerate("palika.example/log");
  const NoteSigner impostor = MustGenerate("palika.example/log");  // same name, other key
  const Checkpoint cp{signer.name(), 5, LeafHash("x"), {}};
  Result<std::string> note = SignCheckpoint(cp, signer);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(OpenCheckpoint(*note, impostor.Verifier()).status().code(), "note_unknown_key");

  std::string tampered = *note;
  tampered[tampered.find("\n5\n") + 1] = '6';
  EXPECT_EQ(OpenCheckpoint(tampered, signer.Verifier()).status().kind(), StatusKind::kCorruption);

  // A witness's extra signature does not matter.
  const NoteSigner witness = MustGenerate("witness.example");
  Result<std::string> witnessed = witness.Sign(FormatCheckpoint(cp));
  ASSERT_TRUE(witnessed.ok());
  const std::string cosigned = *note + witnessed->substr(FormatCheckpoint(cp).size() + 1);
  Result<Checkpoint> opened = OpenCheckpoint(cosigned, signer.Verifier());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, cp);

  // A body that is not a checkpoint, properly signed.
  Result<std::string> not_cp = signer.Sign("palika.example/log\nmany\n");
  ASSERT_TRUE(not_cp.ok());
  EXPECT_EQ(OpenCheckpoint(*not_cp, signer.Verifier()).status().code(), "malformed_checkpoint");
}

TEST(Checkpoint, SignRequiresTheOriginToBeTheKeyName) {
  const NoteSigner signer = MustGenerate("palika.example/a");
  Result<std::string> note = SignCheckpoint({"palika.example/b", 1, LeafHash("x"), {}}, signer);
  ASSERT_FALSE(note.ok());
  EXPECT_EQ(note.status().code(), "checkpoint_origin_mismatch");
}

TEST(Checkpoint, SignRejectsFieldsThatWouldNotParseBack) {
  const NoteSigner signer = MustGenerate("o");
  const Hash root = LeafHash("x");
  EXPECT_FALSE(SignCheckpoint({"o", 1, root, {""}}, signer).ok());
  EXPECT_FALSE(SignCheckpoint({"o", 1, root, {"a\nb"}}, signer).ok());
  EXPECT_FALSE(SignCheckpoint({"o", 1, root, {"a\x01"}}, signer).ok());
  const NoteSigner empty_check = MustGenerate("p");
  EXPECT_FALSE(SignCheckpoint({"", 1, root, {}}, empty_check).ok());
}

TEST(Checkpoint, ParseKeepsExtensionLines) {
  Result<Checkpoint> cp = ParseCheckpoint(std::string(kSpecBody) + "one\ntwo\n");
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->extensions, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(FormatCheckpoint(*cp), std::string(kSpecBody) + "one\ntwo\n");
}

TEST(Checkpoint, ParseAcceptsZeroAndTheLargestSize) {
  const std::string root = "\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";  // EmptyRoot()
  Result<Checkpoint> zero = ParseCheckpoint("log\n0" + root);
  ASSERT_TRUE(zero.ok()) << zero.status().ToString();
  EXPECT_EQ(zero->size, 0u);
  EXPECT_EQ(zero->root, EmptyRoot());
  Result<Checkpoint> max = ParseCheckpoint("log\n18446744073709551615" + root);
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  EXPECT_EQ(max->size, std::numeric_limits<uint64_t>::max());
}

TEST(Checkpoint, ParseRejectsMalformedText) {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  const std::vector<std::string> bad = {
      "",
      "\n",
      "\n\n\n",
      "log\n5\n",                                   // no root
      "log\n5\n" + root,                            // no final newline
      "\n5\n" + root + "\n",                        // empty origin
      "log\n\n" + root + "\n",                      // empty size
      "log\n5\n\n",                                 // empty root
      "log\n5\n" + root + "\n\n",                   // empty extension line
      "log\n5\n" + root + "\next\n\n",              //
      "log\n05\n" + root + "\n",                    // leading zero
      "log\n00\n" + root + "\n",                    //
      "log\n+5\n" + root + "\n",                    // sign
      "log\n-5\n" + root + "\n",                    //
      "log\n 5\n" + root + "\n",                    // spaces
      "log\n5 \n" + root + "\n",                    //
      "log\n0x10\n" + root + "\n",                  // hex
      "log\n5e3\n" + root + "\n",                   //
      "log\n18446744073709551616\n" + root + "\n",  // 2^64
      "log\n99999999999999999999999\n" + root + "\n",
      "log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",   // padding missing
      "log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  // non-canonical
      "log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",      // 30 bytes
      "log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n",  // 33 bytes
      "log\n5\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",  // URL alphabet
      "log\n5\n" + root + "\r\n",                                // CR
  };
  for (const std::string& text : bad) {
    Result<Checkpoint> cp = ParseCheckpoint(text);
    ASSERT_FALSE(cp.ok()) << text;
    EXPECT_EQ(cp.status().code(), "malformed_checkpoint") << text;
  }
}

}  // namespace
}  // namespace palika::ledger
