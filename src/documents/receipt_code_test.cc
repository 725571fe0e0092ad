#include "documents/receipt_code.h"

#include <gtest/gtest.h>

#include <string>

#include "core/encoding.h"
#include "documents/qr.h"
#include "documents/test_receipt.h"

namespace palika::documents {
namespace {

using ledger::NoteSigner;
using ledger::NoteVerifier;
using testing::SampleReceipt;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

NoteSigner NodeKey(std::string_view name = "palika/node-3fa2c1d4") {
  return ledger::GenerateSigner(name).value();
}

std::string MustCode(const Receipt& r, const NoteSigner& node) {
  Result<std::string> code = MakeReceiptCode(r, ReceiptSigner(node, r.ulb_code).value());
  EXPECT_TRUE(code.ok()) << code.status().ToString();
  return code.ok() ? *code : std::string();
}

std::string VerifyError(std::string_view code, const NoteVerifier& key) {
  Result<VerifiedReceipt> v = VerifyReceiptCode(code, key);
  return v.ok() ? "ok" : v.status().code();
}

bool HasDevanagari(std::string_view s) {
  // U+0900..U+097F is E0 A4 80 .. E0 A5 BF in UTF-8.
  return s.find("\xE0\xA4") != std::string_view::npos ||
         s.find("\xE0\xA5") != std::string_view::npos;
}

TEST(ReceiptCode, RoundTrip) {
  const NoteSigner node = NodeKey();
  const Receipt r = SampleReceipt();
  const std::string code = MustCode(r, node);
  Result<VerifiedReceipt> v =
      VerifyReceiptCode(code, ReceiptVerifier(node.Verifier(), "0152").value());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->fields, CodeFieldsOf(r));
  EXPECT_EQ(v->fields.ulb, "0152");
  EXPECT_EQ(v->fields.receipt_no, "0152/2026-27/C1/000123");
  EXPECT_EQ(v->fields.date.Format(), "2026-11-28");
  EXPECT_EQ(v->fields.property_id, "0152-W12-000345");
  EXPECT_EQ(v->fields.amount.paise(), 1'23'456'50);
  EXPECT_EQ(v->fields.payer, "Smt. Lakshmi Devi Sharma");
  EXPECT_EQ(v->fields.origin, "node-3fa2c1d4");
  EXPECT_EQ(v->fields.seq, 4711u);
  EXPECT_EQ(v->key_name, "palika-receipts/0152");
}

TEST(ReceiptCode, IsDeterministicUrlSafeAndFitsAReadableQrCode) {
  const NoteSigner node = NodeKey();
  const std::string code = MustCode(SampleReceipt(), node);
  EXPECT_EQ(code, MustCode(SampleReceipt(), node));
  EXPECT_EQ(code.find_first_not_of(kAlphabet), std::string::npos);
  EXPECT_LT(code.size(), 250u) << code;
  Result<QrMatrix> qr = QrMatrix::Encode(code);
  ASSERT_TRUE(qr.ok());
  EXPECT_LE(qr->version(), 11);
  // The text is readable in the decoded bytes: nine lines, the first "PR1".
  const std::string bytes = Base64UrlDecode(code).value();
  EXPECT_TRUE(bytes.starts_with("PR1\n0152\n0152/2026-27/C1/000123\n20261128\n")) << bytes;
}

TEST(ReceiptCode, EverySingleCharacterChangeFails) {
  const NoteSigner node = NodeKey();
  const NoteVerifier key = ReceiptVerifier(node.Verifier(), "0152").value();
  const std::string code = MustCode(SampleReceipt(), node);
  ASSERT_EQ(VerifyError(code, key), "ok");
  int checked = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    // Every other character of the alphabet, and some that are not in it.
    std::string replacements(kAlphabet);
    replacements += "=+/ .~\xC3";
    for (char c : replacements) {
      if (c == code[i]) continue;
      std::string changed = code;
      changed[i] = c;
      EXPECT_NE(VerifyError(changed, key), "ok") << "position " << i << " -> " << c;
      ++checked;
    }
    std::string deleted = code;
    deleted.erase(i, 1);
    EXPECT_NE(VerifyError(deleted, key), "ok") << "deleted " << i;
    std::string inserted = code;
    inserted.insert(i, 1, 'A');
    EXPECT_NE(VerifyError(inserted, key), "ok") << "inserted at " << i;
  }
  EXPECT_GT(checked, 60 * static_cast<int>(code.size()));
  EXPECT_NE(VerifyError(code + "A", key), "ok");
  EXPECT_NE(VerifyError(code.substr(0, code.size() - 1), key), "ok");
}

TEST(ReceiptCode, AlteredFieldIsNotGenuine) {
  const NoteSigner node = NodeKey();
  const NoteVerifier key = ReceiptVerifier(node.Verifier(), "0152").value();
  std::string bytes = Base64UrlDecode(MustCode(SampleReceipt(), node)).value();
  // A forger changes the amount from 12345650 to 92345650 paise and keeps the signature.
  const size_t at = bytes.find("\n12345650\n");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = '9';
  Result<VerifiedReceipt> v = VerifyReceiptCode(Base64UrlEncode(bytes), key);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), "receipt_not_genuine");
  EXPECT_NE(v.status().message().find("NOT GENUINE"), std::string::npos);
  EXPECT_TRUE(HasDevanagari(v.status().message_hi())) << v.status().message_hi();
}

TEST(ReceiptCode, AnotherUlbsKeyFails) {
  const NoteSigner node = NodeKey();
  const std::string code = MustCode(SampleReceipt(), node);
  // Another node's key for the same ULB.
  const NoteSigner other_node = NodeKey("palika/node-99999999");
  EXPECT_EQ(VerifyError(code, ReceiptVerifier(other_node.Verifier(), "0152").value()),
            "receipt_wrong_key");
  // The same node's key under another ULB's name (one node serves several ULBs).
  const NoteVerifier bhopal = ReceiptVerifier(node.Verifier(), "0269").value();
  EXPECT_EQ(VerifyError(code, bhopal), "receipt_wrong_key");
  // A code signed by another ULB's key, checked with Indore's.
  Receipt r = SampleReceipt();
  r.ulb_code = "0269";
  r.receipt_no = "0269/2026-27/C1/000123";
  const std::string bhopal_code = MustCode(r, node);
  EXPECT_EQ(VerifyError(bhopal_code, ReceiptVerifier(node.Verifier(), "0152").value()),
            "receipt_wrong_key");
  // A forger swaps the (unsigned) key hash for Bhopal's: the signature still checks under the
  // same node key, but the text names Indore.
  std::string bytes = Base64UrlDecode(code).value();
  const uint32_t h = bhopal.key_hash();
  const size_t at = bytes.size() - 68;
  bytes[at] = static_cast<char>(h >> 24);
  bytes[at + 1] = static_cast<char>(h >> 16);
  bytes[at + 2] = static_cast<char>(h >> 8);
  bytes[at + 3] = static_cast<char>(h);
  Result<VerifiedReceipt> v = VerifyReceiptCode(Base64UrlEncode(bytes), bhopal);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), "receipt_wrong_ulb");
  EXPECT_TRUE(HasDevanagari(v.status().message_hi()));
}

TEST(ReceiptCode, VerifiesWithTheNodeKey) {
  const NoteSigner node = NodeKey();
  const std::string code = MustCode(SampleReceipt(), node);
  Result<VerifiedReceipt> v = VerifyReceiptCodeWithNodeKey(code, node.Verifier());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->key_name, "palika-receipts/0152");
  Result<VerifiedReceipt> other = VerifyReceiptCodeWithNodeKey(code, NodeKey().Verifier());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), "receipt_wrong_key");
}

TEST(ReceiptCode, MalformedCodes) {
  const NoteVerifier key = ReceiptVerifier(NodeKey().Verifier(), "0152").value();
  for (std::string_view bad : {"", "!!!!", "AAAA", "PR1", "https://example.org/verify/"}) {
    Result<VerifiedReceipt> v = VerifyReceiptCode(bad, key);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), "receipt_code_malformed") << bad;
    EXPECT_TRUE(HasDevanagari(v.status().message_hi()));
  }
  // Well-formed base64url of something that is not a receipt.
  EXPECT_EQ(VerifyError(Base64UrlEncode(std::string(100, 'x')), key), "receipt_code_malformed");
  // A later version of the format is named as such, not as a forgery.
  EXPECT_EQ(VerifyError(Base64UrlEncode("PR2\n0152\n" + std::string(68, '\0')), key),
            "receipt_code_version");
}

TEST(ReceiptCode, EncodeChecksItsInput) {
  const NoteSigner node = NodeKey();
  const NoteSigner indore = ReceiptSigner(node, "0152").value();
  Receipt r = SampleReceipt();
  EXPECT_EQ(MakeReceiptCode(r, ReceiptSigner(node, "0269").value()).status().code(),
            "receipt_key_mismatch");
  EXPECT_EQ(MakeReceiptCode(r, node).status().code(), "receipt_key_mismatch");
  r.payer_name_en = "Line one\nline two";
  EXPECT_EQ(MakeReceiptCode(r, indore).status().code(), "invalid_receipt_code_field");
  r = SampleReceipt();
  r.payer_name_en = "Bad \xC3\x28 byte";
  EXPECT_EQ(MakeReceiptCode(r, indore).status().code(), "invalid_receipt_code_field");
  r = SampleReceipt();
  r.seq = 0;
  EXPECT_EQ(MakeReceiptCode(r, indore).status().code(), "invalid_receipt_code_field");
  r = SampleReceipt();
  r.amount = Money::FromPaise(-1);
  EXPECT_EQ(MakeReceiptCode(r, indore).status().code(), "invalid_receipt_code_field");
  r = SampleReceipt();
  r.property_id.clear();
  EXPECT_EQ(MakeReceiptCode(r, indore).status().code(), "invalid_receipt_code_field");
}

TEST(ReceiptCode, PayerFallsBackToHindiAndIsCutAtACharacterBoundary) {
  const NoteSigner node = NodeKey();
  Receipt r = SampleReceipt();
  r.payer_name_en.clear();
  // Longer than kMaxSignedPayerBytes, in three-byte code points: the cut must not split one.
  r.payer_name_hi = "श्रीमती लक्ष्मीदेवी रामप्रसाद शर्मा चतुर्वेदी";
  const ReceiptCodeFields f = CodeFieldsOf(r);
  EXPECT_LE(f.payer.size(), kMaxSignedPayerBytes);
  EXPECT_TRUE(r.payer_name_hi.starts_with(f.payer));
  ASSERT_LT(f.payer.size(), r.payer_name_hi.size());
  // The next byte begins a character: no code point was split.
  EXPECT_NE(static_cast<uint8_t>(r.payer_name_hi[f.payer.size()]) & 0xC0, 0x80);
  Result<VerifiedReceipt> v = VerifyReceiptCodeWithNodeKey(MustCode(r, node), node.Verifier());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->fields.payer, f.payer);
}

TEST(ReceiptCode, CodeFromScannedText) {
  EXPECT_EQ(ReceiptCodeFromText("  abc_-9 \n"), "abc_-9");
  EXPECT_EQ(ReceiptCodeFromText("https://palika.example/verify/abc_-9"), "abc_-9");
  EXPECT_EQ(ReceiptCodeFromText("https://palika.example/verify/abc?x=1#y"), "abc");
  EXPECT_EQ(ReceiptCodeFromText("/verify/abc/"), "abc");
}

}  // namespace
}  // namespace palika::documents
