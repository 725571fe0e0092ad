#include "services/identity/password.h"

#include <sodium.h>

#include <vector>

#include "core/ids.h"

namespace palika::identity {
namespace {

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;  // idempotent; selects the fastest Argon2 code
  return ready;
}

Status PolicyError(std::string code, std::string en, std::string hi) {
  return Status::InvalidArgument(std::move(code), std::move(en), std::move(hi));
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Splits valid UTF-8 into its code points' byte sequences.
std::vector<std::string_view> CodePoints(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || !IsContinuationByte(text[i])) {
      out.push_back(text.substr(start, i - start));
      start = i;
    }
  }
  return out;
}

}  // namespace

Status CheckPasswordPolicy(std::string_view password) {
  if (!IsValidUtf8(password)) {
    return PolicyError(
        "password_invalid_utf8",
        "The password contains bytes that are not valid text (UTF-8). Type it again with your "
        "keyboard.",
        "पासवर्ड में ऐसे बाइट हैं जो मान्य पाठ (UTF-8) नहीं हैं। इसे कीबोर्ड से फिर से टाइप करें।");
  }
  if (password.size() > kMaxPasswordBytes) {
    return PolicyError(
        "password_too_long",
        "The password is too long: at most 256 bytes (about 256 English or 85 Hindi letters). "
        "Choose a shorter one.",
        "पासवर्ड बहुत लंबा है: अधिकतम 256 बाइट (लगभग 256 अंग्रेज़ी या 85 हिंदी अक्षर)। छोटा "
        "पासवर्ड चुनें।");
  }
  const std::vector<std::string_view> code_points = CodePoints(password);
  if (code_points.size() < kMinPasswordCodePoints) {
    return PolicyError(
        "password_too_short",
        "The password is too short: it needs at least 12 characters. A phrase of a few words is "
        "long and easy to remember.",
        "पासवर्ड बहुत छोटा है: कम से कम 12 अक्षर चाहिए। कुछ शब्दों का वाक्यांश लंबा भी होता है और "
        "याद रखना भी आसान।");
  }
  bool all_same = true;
  for (std::string_view cp : code_points) {
    all_same = all_same && cp == code_points.front();
  }
  if (all_same) {
    return PolicyError(
        "password_one_character",
        "The password repeats a single character. Choose one made of different characters, such "
        "as a phrase of a few words.",
        "पासवर्ड में एक ही अक्षर बार-बार है। अलग-अलग अक्षरों वाला पासवर्ड चुनें, जैसे कुछ शब्दों का "
        "वाक्यांश।");
  }
  return Status::OK();
}

Result<std::string> HashPassword(std::string_view password) {
  char hash[crypto_pwhash_STRBYTES];
  if (!SodiumReady() ||
      crypto_pwhash_str_alg(hash, password.data(), password.size(), kPasswordOpsLimit,
                            kPasswordMemLimitBytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Unavailable(
        "password_hash_failed",
        "The server could not secure the password just now (it is short of memory). Try again in "
        "a minute; if this keeps happening, tell the system administrator.",
        "सर्वर अभी पासवर्ड सुरक्षित नहीं कर सका (मेमोरी कम है)। एक मिनट बाद फिर प्रयास करें; बार-बार "
        "ऐसा हो तो सिस्टम व्यवस्थापक को बताएँ।");
  }
  return std::string(hash);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  // libsodium reads the hash as a C string no longer than crypto_pwhash_STRBYTES.
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string terminated(hash);
  return SodiumReady() &&
         crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void VerifyDummyPassword(std::string_view password) {
  [[maybe_unused]] const bool matched = VerifyPassword(kDummyPasswordHash, password);
}

bool PasswordNeedsRehash(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string_view::npos) {
    return true;
  }
  const std::string terminated(hash);
  // The Argon2id-specific check also reports an Argon2i hash as needing a rehash.
  return !SodiumReady() || crypto_pwhash_argon2id_str_needs_rehash(
                               terminated.c_str(), kPasswordOpsLimit, kPasswordMemLimitBytes) != 0;
}

}  // namespace palika::identity
