#include "documents/receipt_code.h"

#include <charconv>
#include <cstdio>
#include <vector>

#include "core/encoding.h"
#include "core/ids.h"

namespace palika::documents {
namespace {

constexpr std::string_view kHeaderV1 = "PR1";
constexpr std::string_view kHeaderFamily = "PR";  // any version of the receipt format
constexpr size_t kFieldCount = 9;                 // header included
constexpr size_t kKeyHashBytes = 4;
constexpr size_t kSignatureBytes = 64;
constexpr size_t kMaxFieldBytes = 64;

Status FieldError(std::string_view field, std::string_view why_en, std::string_view why_hi) {
  return Status::InvalidArgument(
      "invalid_receipt_code_field",
      "the receipt's " + std::string(field) + " " + std::string(why_en) +
          "; correct the receipt before signing it",
      "रसीद का " + std::string(field) + " " + std::string(why_hi) + "; हस्ताक्षर से पहले रसीद ठीक करें");
}

Status Malformed() {
  return Status::InvalidArgument(
      "receipt_code_malformed",
      "this is not a Palika receipt code (wrong characters, or part of it is missing); check that "
      "the whole code was copied or scanned",
      "यह Palika रसीद का कोड नहीं है (गलत अक्षर, या कोड का कुछ हिस्सा छूट गया है); जाँचें कि पूरा कोड "
      "सही-सही कॉपी या स्कैन हुआ है");
}

Status NotGenuine() {
  return Status::InvalidArgument(
      "receipt_not_genuine",
      "NOT GENUINE: the receipt code's signature does not match its contents; the code was "
      "altered or the receipt is forged. Do not accept it",
      "असली नहीं: रसीद कोड का हस्ताक्षर उसकी जानकारी से मेल नहीं खाता; कोड बदला गया है या रसीद "
      "जाली है। इसे स्वीकार न करें");
}

Status WrongKey(const ledger::NoteVerifier& key) {
  return Status::InvalidArgument(
      "receipt_wrong_key",
      "NOT GENUINE: this receipt code was not signed with the key " + key.name() +
          "; it was issued elsewhere, altered, or forged. Do not accept it",
      "असली नहीं: यह रसीद कोड " + key.name() +
          " की कुंजी से हस्ताक्षरित नहीं है; यह कहीं और जारी हुआ, बदला गया या जाली है। इसे "
          "स्वीकार न करें");
}

bool HasControl(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

// A field that goes into one line of the signed text.
Status CheckText(std::string_view name, std::string_view value, size_t max_bytes) {
  if (value.empty()) return FieldError(name, "is empty", "खाली है");
  if (value.size() > max_bytes) return FieldError(name, "is too long", "बहुत लंबा है");
  if (HasControl(value)) return FieldError(name, "holds a control character", "में नियंत्रण वर्ण है");
  if (!IsValidUtf8(value)) return FieldError(name, "is not valid UTF-8", "मान्य UTF-8 नहीं है");
  return Status::OK();
}

// s cut to at most max bytes, never inside a UTF-8 sequence, without trailing spaces.
std::string Truncate(std::string_view s, size_t max) {
  if (s.size() > max) {
    size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s = s.substr(0, end);
  }
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

std::string DateText(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d", d.year(), d.month(), d.day());
  return buf;
}

std::string SignedText(const ReceiptCodeFields& f) {
  const std::string lines[kFieldCount] = {
      std::string(kHeaderV1),           f.ulb,   f.receipt_no, DateText(f.date),     f.property_id,
      std::to_string(f.amount.paise()), f.payer, f.origin,     std::to_string(f.seq)};
  std::string text;
  for (const std::string& line : lines) {
    text.append(line);
    text.push_back('\n');
  }
  return text;
}

Status CheckFields(const ReceiptCodeFields& f) {
  PALIKA_RETURN_IF_ERROR(CheckText("ulb", f.ulb, 16));
  if (!ledger::IsValidKeyName(ReceiptKeyName(f.ulb))) {
    return FieldError("ulb", "cannot be part of a key name", "कुंजी के नाम में नहीं आ सकता");
  }
  PALIKA_RETURN_IF_ERROR(CheckText("receipt_no", f.receipt_no, kMaxFieldBytes));
  if (f.date.year() < 1 || f.date.year() > 9999)
    return FieldError("date", "is out of range", "सीमा से बाहर है");
  PALIKA_RETURN_IF_ERROR(CheckText("property_id", f.property_id, kMaxFieldBytes));
  if (f.amount.IsNegative()) return FieldError("amount", "is negative", "ऋणात्मक है");
  PALIKA_RETURN_IF_ERROR(CheckText("payer", f.payer, kMaxSignedPayerBytes));
  PALIKA_RETURN_IF_ERROR(CheckText("origin", f.origin, kMaxFieldBytes));
  if (f.seq == 0) return FieldError("seq", "is zero", "शून्य है");
  return Status::OK();
}

// A decimal with no sign and no leading zero ("0" itself allowed), that fits in T.
template <typename T>
bool ParseCanonicalUint(std::string_view s, T& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The fields of a signed text; nullopt unless it is exactly what SignedText would write.
std::optional<ReceiptCodeFields> ParseSignedText(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;  // last line without its newline
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() != kFieldCount || lines[0] != kHeaderV1) return std::nullopt;
  ReceiptCodeFields f;
  f.ulb = lines[1];
  f.receipt_no = lines[2];
  const std::string_view date = lines[3];
  if (date.size() != 8) return std::nullopt;
  int ymd = 0;
  for (char c : date) {
    if (c < '0' || c > '9') return std::nullopt;
    ymd = ymd * 10 + (c - '0');
  }
  Result<CivilDate> civil = CivilDate::FromYmd(ymd / 10000, ymd / 100 % 100, ymd % 100);
  if (!civil.ok()) return std::nullopt;
  f.date = *civil;
  f.property_id = lines[4];
  int64_t paise = 0;
  if (!ParseCanonicalUint(lines[5], paise)) return std::nullopt;
  f.amount = Money::FromPaise(paise);
  f.payer = lines[6];
  f.origin = lines[7];
  if (!ParseCanonicalUint(lines[8], f.seq)) return std::nullopt;
  if (!CheckFields(f).ok()) return std::nullopt;
  return f;
}

uint32_t BigEndian32(std::string_view b) {
  return uint32_t{static_cast<uint8_t>(b[0])} << 24 | uint32_t{static_cast<uint8_t>(b[1])} << 16 |
         uint32_t{static_cast<uint8_t>(b[2])} << 8 | uint32_t{static_cast<uint8_t>(b[3])};
}

// A decoded code split into its three parts (views into `bytes`).
struct CodeParts {
  std::string bytes;
  std::string_view text;
  uint32_t key_hash = 0;
  std::string_view signature;
};

Result<CodeParts> SplitCode(std::string_view code) {
  std::optional<std::string> bytes = Base64UrlDecode(code);
  if (!bytes || bytes->size() <= kKeyHashBytes + kSignatureBytes) return Malformed();
  CodeParts parts;
  parts.bytes = std::move(*bytes);
  const std::string_view all = parts.bytes;
  const size_t text_size = all.size() - kKeyHashBytes - kSignatureBytes;
  parts.text = all.substr(0, text_size);
  parts.key_hash = BigEndian32(all.substr(text_size, kKeyHashBytes));
  parts.signature = all.substr(text_size + kKeyHashBytes);
  if (!parts.text.starts_with(kHeaderFamily)) return Malformed();
  if (!parts.text.starts_with(std::string(kHeaderV1) + "\n")) {
    return Status::InvalidArgument(
        "receipt_code_version",
        "this receipt code has a format this version of Palika does not know; verify it with a "
        "newer version",
        "इस रसीद कोड का प्रारूप Palika का यह संस्करण नहीं पहचानता; नए संस्करण से जाँचें");
  }
  return parts;
}

}  // namespace

std::string ReceiptKeyName(std::string_view ulb) {
  return std::string(kReceiptKeyPrefix) + std::string(ulb);
}

Result<ledger::NoteSigner> ReceiptSigner(const ledger::NoteSigner& node_key, std::string_view ulb) {
  return node_key.WithName(ReceiptKeyName(ulb));
}

Result<ledger::NoteVerifier> ReceiptVerifier(const ledger::NoteVerifier& node_key,
                                             std::string_view ulb) {
  return ledger::NoteVerifier::FromPublicKey(ReceiptKeyName(ulb), node_key.public_key());
}

ReceiptCodeFields CodeFieldsOf(const Receipt& receipt) {
  ReceiptCodeFields f;
  f.ulb = receipt.ulb_code;
  f.receipt_no = receipt.receipt_no;
  f.date = ReceiptDateIst(receipt);
  f.property_id = receipt.property_id;
  f.amount = receipt.amount;
  f.payer = Truncate(receipt.payer_name_en.empty() ? receipt.payer_name_hi : receipt.payer_name_en,
                     kMaxSignedPayerBytes);
  f.origin = receipt.origin;
  f.seq = receipt.seq;
  return f;
}

Result<std::string> EncodeReceiptCode(const ReceiptCodeFields& fields,
                                      const ledger::NoteSigner& receipt_key) {
  PALIKA_RETURN_IF_ERROR(CheckFields(fields));
  if (receipt_key.name() != ReceiptKeyName(fields.ulb)) {
    return Status::InvalidArgument(
        "receipt_key_mismatch",
        "a receipt of ULB " + fields.ulb + " must be signed with the key " +
            ReceiptKeyName(fields.ulb) + ", not " + receipt_key.name(),
        "नगरीय निकाय " + fields.ulb + " की रसीद पर " + ReceiptKeyName(fields.ulb) +
            " की कुंजी से ही हस्ताक्षर हो सकते हैं, " + receipt_key.name() + " से नहीं");
  }
  const std::string text = SignedText(fields);
  // The signature a signed note of the text would carry: key hash || Ed25519 signature.
  PALIKA_ASSIGN_OR_RETURN(std::string sig, receipt_key.SignatureBytes(text));
  if (sig.size() != kKeyHashBytes + kSignatureBytes) {
    return Status::Internal("a note's signature is not one key hash and one Ed25519 signature");
  }
  return Base64UrlEncode(text + sig);
}

Result<VerifiedReceipt> VerifyReceiptCode(std::string_view code,
                                          const ledger::NoteVerifier& receipt_key) {
  PALIKA_ASSIGN_OR_RETURN(CodeParts parts, SplitCode(code));
  if (parts.key_hash != receipt_key.key_hash()) return WrongKey(receipt_key);
  if (!receipt_key.Verify(parts.text, parts.signature)) return NotGenuine();
  std::optional<ReceiptCodeFields> fields = ParseSignedText(parts.text);
  if (!fields) return Malformed();  // signed, but not by this format's writer
  if (receipt_key.name() != ReceiptKeyName(fields->ulb)) {
    // The same node key signs for every ULB it serves; the name binds the code to one ULB.
    return Status::InvalidArgument("receipt_wrong_ulb",
                                   "NOT GENUINE for this ULB: the code is for ULB " + fields->ulb +
                                       " but was checked with the key " + receipt_key.name(),
                                   "इस नगरीय निकाय के लिए असली नहीं: यह कोड नगरीय निकाय " +
                                       fields->ulb + " का है, पर " + receipt_key.name() +
                                       " की कुंजी से जाँचा गया");
  }
  return VerifiedReceipt{std::move(*fields), receipt_key.name()};
}

Result<VerifiedReceipt> VerifyReceiptCodeWithNodeKey(std::string_view code,
                                                     const ledger::NoteVerifier& node_key) {
  PALIKA_ASSIGN_OR_RETURN(CodeParts parts, SplitCode(code));
  // The ULB is the second line; it only chooses the key, and VerifyReceiptCode checks it again.
  const std::string_view after_header = parts.text.substr(kHeaderV1.size() + 1);
  const size_t nl = after_header.find('\n');
  if (nl == std::string_view::npos || nl == 0) return Malformed();
  Result<ledger::NoteVerifier> key = ReceiptVerifier(node_key, after_header.substr(0, nl));
  if (!key.ok()) return Malformed();
  return VerifyReceiptCode(code, *key);
}

std::string_view ReceiptCodeFromText(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  constexpr std::string_view kVerify = "/verify/";
  if (const size_t at = text.rfind(kVerify); at != std::string_view::npos) {
    text.remove_prefix(at + kVerify.size());
    text = text.substr(0, text.find_first_of("?#"));
    while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  }
  return text;
}

}  // namespace palika::documents
