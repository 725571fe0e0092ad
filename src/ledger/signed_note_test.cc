#include "ledger/signed_note.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/encoding.h"

namespace palika::ledger {
namespace {

// From golang.org/x/mod sumdb/note/note_test.go (TestNewVerifier, TestNewSigner, TestSign,
// TestOpen) and the package documentation in sumdb/note/note.go.
constexpr std::string_view kPeterVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kPeterSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kEnochVkey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr std::string_view kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kPeterSig =
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kEnochSig =
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

std::string PeterNote() { return std::string(kText) + "\n" + std::string(kPeterSig); }

NoteVerifier MustVerifier(std::string_view vkey) {
  Result<NoteVerifier> v = NoteVerifier::Parse(vkey);
  EXPECT_TRUE(v.ok()) << vkey << ": " << v.status().ToString();
  return std::move(v).value();
}

NoteSigner MustSigner(std::string_view skey) {
  Result<NoteSigner> s = NoteSigner::Parse(skey);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

NoteSigner MustGenerate(std::string_view name) {
  Result<NoteSigner> s = GenerateSigner(name);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

std::string MustSign(const NoteSigner& signer, std::string_view text) {
  Result<std::string> note = signer.Sign(text);
  EXPECT_TRUE(note.ok()) << note.status().ToString();
  return note.ok() ? *note : std::string();
}

std::string OpenCode(std::string_view note, const std::vector<NoteVerifier>& verifiers) {
  Result<std::string> r = OpenNote(note, verifiers);
  return r.ok() ? "ok" : r.status().code();
}

TEST(SignedNote, ParsesAndFormatsThePublishedKeys) {
  NoteVerifier peter = MustVerifier(kPeterVkey);
  EXPECT_EQ(peter.name(), "PeterNeumann");
  EXPECT_EQ(peter.key_hash(), 0xc74f20a3u);
  EXPECT_EQ(peter.ToString(), kPeterVkey);
  EXPECT_EQ(Ed25519KeyHash("PeterNeumann", peter.public_key()), 0xc74f20a3u);

  NoteSigner signer = MustSigner(kPeterSkey);
  EXPECT_EQ(signer.name(), "PeterNeumann");
  EXPECT_EQ(signer.key_hash(), 0xc74f20a3u);
  EXPECT_EQ(signer.Format(), kPeterSkey);
  EXPECT_EQ(signer.Verifier().ToString(), kPeterVkey);
}

// Key pairs from google/trillian-examples formats/log/checkpoint_test.go: each signer key must
// derive exactly its published verifier key.
TEST(SignedNote, SignerKeysDeriveTheirPublishedVerifierKeys) {
  const std::vector<std::pair<std::string_view, std::string_view>> pairs = {
      {"PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ",
       "Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs"},
      {"PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci",
       "Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH"},
      {"PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+",
       "KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj"},
      {"PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU",
       "Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots"},
  };
  for (const auto& [skey, vkey] : pairs) {
    NoteSigner signer = MustSigner(skey);
    EXPECT_EQ(signer.Verifier().ToString(), vkey);
    EXPECT_EQ(MustVerifier(vkey).ToString(), vkey);
  }
}

TEST(SignedNote, SigningReproducesThePublishedNoteExactly) {
  NoteSigner signer = MustSigner(kPeterSkey);
  EXPECT_EQ(MustSign(signer, kText), PeterNote());
}

TEST(SignedNote, SignatureBytesAreWhatThePublishedNotesSignatureLineCarries) {
  const NoteSigner signer = MustSigner(kPeterSkey);
  Result<std::string> bytes = signer.SignatureBytes(kText);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  // "— PeterNeumann base64(key hash || signature)\n"
  const std::string_view line = kPeterSig;
  const std::string_view encoded =
      line.substr(line.rfind(' ') + 1, line.size() - line.rfind(' ') - 2);
  EXPECT_EQ(Base64Encode(*bytes), encoded);
  EXPECT_EQ(signer.public_key(), signer.Verifier().public_key());
  Result<std::string> bad = signer.SignatureBytes("no newline");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "malformed_note");
}

TEST(SignedNote, OpensThePublishedNote) {
  const std::vector<NoteVerifier> peter = {MustVerifier(kPeterVkey)};
  Result<std::string> text = OpenNote(PeterNote(), peter);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, kText);
}

// TestNewVerifier: every substring and every single-byte change of the key must be refused.
TEST(SignedNote, RejectsMangledVerifierKeys) {
  std::string key(kPeterVkey);
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) {
        continue;
      }
      EXPECT_FALSE(NoteVerifier::Parse(key.substr(i, j - i)).ok()) << key.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    key[i]++;
    EXPECT_FALSE(NoteVerifier::Parse(key).ok()) << key;
    key[i]--;
  }
  // Wrong key length and unknown algorithm, each with a key hash adjusted to match.
  EXPECT_FALSE(NoteVerifier::Parse("PeterNeumann+cc469956+"
                                   "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
                   .ok());
  EXPECT_FALSE(
      NoteVerifier::Parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());
}

// TestNewSigner: the same for signer keys.
TEST(SignedNote, RejectsMangledSignerKeys) {
  std::string key(kPeterSkey);
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) {
        continue;
      }
      EXPECT_FALSE(NoteSigner::Parse(key.substr(i, j - i)).ok()) << i << ".." << j;
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    key[i]++;
    EXPECT_FALSE(NoteSigner::Parse(key).ok()) << i;
    key[i]--;
  }
}

TEST(SignedNote, SignerKeyErrorsDoNotRevealTheKey) {
  // A valid-looking key whose hash does not match: the message must not carry the secret.
  const std::string seed_b64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  Result<NoteSigner> s = NoteSigner::Parse("PRIVATE+KEY+PeterNeumann+00000000+" + seed_b64);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().find(seed_b64), std::string::npos) << s.status().message();
}

// TestOpen: one known and one unknown signature; both known; none known.
TEST(SignedNote, IgnoresSignaturesByUnknownKeys) {
  const NoteVerifier peter = MustVerifier(kPeterVkey);
  const NoteVerifier enoch = MustVerifier(kEnochVkey);
  const std::string both =
      std::string(kText) + "\n" + std::string(kPeterSig) + std::string(kEnochSig);
  EXPECT_EQ(OpenCode(both, {peter}), "ok");
  EXPECT_EQ(OpenCode(both, {enoch}), "ok");
  EXPECT_EQ(OpenCode(both, {peter, enoch}), "ok");
  EXPECT_EQ(OpenCode(both, {enoch, peter, enoch}), "ok");  // a key listed twice is harmless
  Result<std::string> none = OpenNote(both, {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), "note_unknown_key");
  // The message names the keys that did sign, so an operator can see what is configured wrong.
  EXPECT_NE(none.status().message().find("PeterNeumann+c74f20a3"), std::string::npos);
  EXPECT_NE(none.status().message().find("EnochRoot+af0cfe78"), std::string::npos);
}

TEST(SignedNote, NoteSignedByAnUnknownKeyFails) {
  const std::vector<NoteVerifier> peter = {MustVerifier(kPeterVkey)};
  // Same name, different key (so a different key hash).
  const NoteSigner impostor = MustGenerate("PeterNeumann");
  EXPECT_EQ(OpenCode(MustSign(impostor, kText), peter), "note_unknown_key");
  // Same key hash, different name.
  std::string renamed = PeterNote();
  renamed.replace(renamed.find("PeterNeumann"), 12, "PeterNeumanx");
  EXPECT_EQ(OpenCode(renamed, peter), "note_unknown_key");
}

TEST(SignedNote, TamperedTextFails) {
  const std::vector<NoteVerifier> peter = {MustVerifier(kPeterVkey)};
  const std::string note = PeterNote();
  for (size_t i = 0; i + 1 < kText.size(); ++i) {  // the final newline is structure
    std::string bad = note;
    bad[i] = bad[i] == 'x' ? 'y' : 'x';
    Result<std::string> r = OpenNote(bad, peter);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.status().kind(), StatusKind::kCorruption) << "byte " << i;
  }
}

TEST(SignedNote, TamperedSignatureFails) {
  const std::vector<NoteVerifier> peter = {MustVerifier(kPeterVkey)};
  const std::string note = PeterNote();
  const size_t b64 = note.find("x08go/");
  ASSERT_NE(b64, std::string::npos);
  // The first 5 base64 characters encode only the key hash: changing them makes the key unknown.
  // The 6th holds the hash's last 2 bits and the signature's first 4. After it, every change must
  // break the signature. (The last 2 characters before '=' carry
  // 2 unused bits that canonical base64 requires to be zero; changing them can make the text
  // non-canonical, which is malformed.)
  const size_t end = note.size() - 2;  // "=\n"
  for (size_t i = b64; i < end; ++i) {
    std::string bad = note;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    Result<std::string> r = OpenNote(bad, peter);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    if (i < b64 + 5) {
      EXPECT_EQ(r.status().code(), "note_unknown_key") << "byte " << i;
    } else if (i == b64 + 5) {
      EXPECT_TRUE(r.status().code() == "note_unknown_key" ||
                  r.status().kind() == StatusKind::kCorruption);
    } else if (r.status().code() != "malformed_note") {
      EXPECT_EQ(r.status().kind(), StatusKind::kCorruption) << "byte " << i;
    }
  }
  // TestOpen "Invalid signature": four extra base64 characters inside the signature.
  const std::string sig(kPeterSig);
  const std::string longer =
      std::string(kText) + "\n" + sig.substr(0, 60) + "ABCD" + sig.substr(60);
  Result<std::string> r = OpenNote(longer, peter);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kCorruption);
  EXPECT_NE(r.status().message().find("PeterNeumann+c74f20a3"), std::string::npos);
}

// TestOpen: a bad signature by a known key rejects the note even beside a good one.
TEST(SignedNote, OneBadSignatureByAKnownKeyRejectsTheNote) {
  const std::vector<NoteVerifier> peter = {MustVerifier(kPeterVkey)};
  const std::string sig(kPeterSig);
  const std::string bad_sig = sig.substr(0, 60) + "ABCD" + sig.substr(60);
  EXPECT_EQ(OpenCode(std::string(kText) + "\n" + sig + bad_sig, peter), "corruption");
  EXPECT_EQ(OpenCode(std::string(kText) + "\n" + bad_sig + sig, peter), "corruption");
  // Repeated good signatures and unknown ones are fine.
  EXPECT_EQ(OpenCode(std::string(kText) + "\n" + sig + sig + std::string(kEnochSig), peter), "ok");
}

// TestOpen "Invalid encoded message syntax" and "too many signatures".
TEST(SignedNote, RejectsMalformedNotes) {
  const std::vector<NoteVerifier> peter = {MustVerifier(kPeterVkey)};
  const std::string text(kText);
  const std::string sig(kPeterSig);
  std::string many = text + "\n";
  for (int i = 0; i < 101; ++i) {
    many += sig;
  }
  const std::vector<std::string> bad = {
      "",
      text,
      text + "\n",
      text + "\n" + sig.substr(0, sig.size() - 1),
      "\x01" + text + "\n" + sig,
      "\xff" + text + "\n" + sig,
      text + "\n" +
          "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
          "ngotpRZb6KE6RyyBwJnAM=\n",
      text + "\n" + sig + "Unexpected line.\n",
      text + "\n" +
          "- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgK"
          "vqfqdngotpRZb6KE6RyyBwJnAM=\n",  // hyphen, not an em dash
      text + "\n" + "— PeterNeumann\n",
      text + "\n" + "— PeterNeumann \n",
      text + "\n" + "— PeterNeumann x08g\n",  // too short to hold a key hash and a signature
      text + "\n" + "— PeterNeumann not*base64\n",
      text + "\n" +
          "—  PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXg"
          "KvqfqdngotpRZb6KE6RyyBwJnAM=\n",  // empty name
      "If you think\r\n" + text.substr(13) + "\n" + sig,
      text.substr(0, 10) + "\t" + text.substr(10) + "\n" + sig,
      text + "\n" + sig + "\n",
      many,
  };
  for (const std::string& note : bad) {
    EXPECT_EQ(OpenCode(note, peter), "malformed_note") << note;
  }
}

TEST(SignedNote, TextMayContainBlankLines) {
  // The C2SP signed-note example text (c2sp.org/signed-note), re-signed with a fresh key: the text
  // ends at the last blank line.
  const std::string text =
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n";
  const NoteSigner signer = MustGenerate("quasimodo.example/salvatore");
  const std::vector<NoteVerifier> verifiers = {signer.Verifier()};
  Result<std::string> opened = OpenNote(MustSign(signer, text), verifiers);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, text);
  // The published note is well formed; its key is not published, so it is merely unknown here.
  const std::string published = text +
                                "\n— quasimodo.example/salvatore "
                                "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"
                                "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
  EXPECT_EQ(OpenCode(published, verifiers), "note_unknown_key");
}

TEST(SignedNote, SignRejectsTextsThatCannotBeNotes) {
  const NoteSigner signer = MustSigner(kPeterSkey);
  for (std::string_view text :
       {std::string_view("abc"), std::string_view(""),
        std::string_view("a\x01"
                         "b\n"),
        std::string_view("tab\there\n"), std::string_view("\xff\n"), std::string_view("cr\r\n")}) {
    Result<std::string> r = signer.Sign(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), "malformed_note");
  }
}

TEST(SignedNote, GeneratedKeysRoundTrip) {
  const NoteSigner signer = MustGenerate("palika.example/ulb/0152");
  const NoteSigner again = MustSigner(signer.Format());
  EXPECT_EQ(again.Format(), signer.Format());
  const NoteVerifier verifier = MustVerifier(signer.Verifier().ToString());
  EXPECT_EQ(verifier.key_hash(), signer.key_hash());
  const std::string note = MustSign(again, "hello, ward 12\n");
  Result<std::string> text = OpenNote(note, std::vector<NoteVerifier>{verifier});
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "hello, ward 12\n");
  // Two generated keys differ.
  EXPECT_NE(MustGenerate("palika.example/ulb/0152").Format(), signer.Format());
}

TEST(SignedNote, SeveralSignersOnOneNote) {
  const NoteSigner log = MustGenerate("log.example");
  const NoteSigner witness = MustGenerate("witness.example");
  std::string note = MustSign(log, kText);
  const std::string witness_note = MustSign(witness, kText);
  note += witness_note.substr(kText.size() + 1);  // append the witness's signature line
  EXPECT_EQ(OpenCode(note, {log.Verifier()}), "ok");
  EXPECT_EQ(OpenCode(note, {witness.Verifier()}), "ok");
  EXPECT_EQ(OpenCode(note, {witness.Verifier(), log.Verifier()}), "ok");
}

TEST(SignedNote, WithNameKeepsTheKeyAndChangesTheKeyHash) {
  const NoteSigner node = MustSigner(kPeterSkey);
  Result<NoteSigner> log = node.WithName("palika.example/ulb/0152");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->name(), "palika.example/ulb/0152");
  EXPECT_EQ(log->Verifier().public_key(), node.Verifier().public_key());
  EXPECT_NE(log->key_hash(), node.key_hash());
  EXPECT_EQ(OpenCode(MustSign(*log, kText), {log->Verifier()}), "ok");
  EXPECT_EQ(OpenCode(MustSign(*log, kText), {node.Verifier()}), "note_unknown_key");
  EXPECT_FALSE(node.WithName("bad name").ok());
}

TEST(SignedNote, KeyNameRules) {
  EXPECT_TRUE(IsValidKeyName("PeterNeumann"));
  EXPECT_TRUE(IsValidKeyName("palika.example/ulb/0152"));
  EXPECT_TRUE(IsValidKeyName("इंदौर"));
  for (std::string_view bad : {"", "a+b", "a b", "a\tb", "a\nb", "a\u00a0b", "a\u2003b", "a\u3000b",
                               "a\u2028b", "\xff", "\xc0\xaf"}) {
    EXPECT_FALSE(IsValidKeyName(bad)) << bad;
    EXPECT_FALSE(GenerateSigner(bad).ok()) << bad;
  }
}

TEST(SignedNote, FromPublicKeyChecksItsInput) {
  const NoteVerifier peter = MustVerifier(kPeterVkey);
  Result<NoteVerifier> again = NoteVerifier::FromPublicKey("PeterNeumann", peter.public_key());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToString(), kPeterVkey);
  EXPECT_FALSE(NoteVerifier::FromPublicKey("PeterNeumann", peter.public_key().substr(1)).ok());
  EXPECT_FALSE(NoteVerifier::FromPublicKey("Peter Neumann", peter.public_key()).ok());
  EXPECT_FALSE(NoteSigner::FromSeed("x", std::string(31, 'a')).ok());
}

TEST(SignedNote, VerifyChecksRawSignatures) {
  const NoteSigner signer = MustSigner(kPeterSkey);
  const NoteVerifier verifier = signer.Verifier();
  EXPECT_FALSE(verifier.Verify("hi\n", std::string(64, '\0')));
  EXPECT_FALSE(verifier.Verify("hi\n", ""));
}

}  // namespace
}  // namespace palika::ledger
