#include "documents/verify_receipt_cli.h"

#include <iostream>
#include <string_view>

#include "documents/amount_words.h"
#include "documents/receipt_code.h"
#include "ledger/signed_note.h"

namespace palika::documents {
namespace {

std::string_view Trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

int VerifyReceiptCommand(const std::string& code, const std::string& public_key_text,
                         std::ostream& out, std::ostream& err) {
  Result<ledger::NoteVerifier> key = ledger::NoteVerifier::Parse(Trim(public_key_text));
  if (!key.ok()) {
    err << "palika verify-receipt: the public key is not a verifier key (expected the contents "
           "of node.pub: name+hash+base64): "
        << key.status().message() << "\n"
        << "सार्वजनिक कुंजी पढ़ी नहीं जा सकी (node.pub की सामग्री दें)।\n";
    return kVerifyBadKey;
  }
  const std::string_view bare = ReceiptCodeFromText(code);
  const Result<VerifiedReceipt> verdict = key->name().starts_with(kReceiptKeyPrefix)
                                              ? VerifyReceiptCode(bare, *key)
                                              : VerifyReceiptCodeWithNodeKey(bare, *key);
  if (!verdict.ok()) {
    out << "NOT GENUINE / असली नहीं\n"
        << verdict.status().message() << "\n"
        << verdict.status().message_hi() << "\n";
    return kVerifyNotGenuine;
  }
  const ReceiptCodeFields& f = verdict->fields;
  out << "GENUINE RECEIPT / असली रसीद\n"
      << "  ULB / नगरीय निकाय: " << f.ulb << "\n"
      << "  Receipt no. / रसीद क्रमांक: " << f.receipt_no << "\n"
      << "  Date / दिनांक: " << f.date.FormatIndian() << "\n"
      << "  Property id / संपत्ति क्रमांक: " << f.property_id << "\n"
      << "  Amount / राशि: " << f.amount.Format() << "\n"
      << "    " << AmountInWordsEn(f.amount) << "\n"
      << "    " << AmountInWordsHi(f.amount) << "\n"
      << "  Paid by / भुगतानकर्ता: " << f.payer << "\n"
      << "  Ledger entry / लेजर प्रविष्टि: " << f.origin << " #" << f.seq << "\n"
      << "  Signing key / हस्ताक्षर कुंजी: " << verdict->key_name << "\n"
      << "Compare these with the printed receipt: if anything differs, it was altered.\n"
      << "छपी रसीद से इनका मिलान करें: कुछ भी अलग हो तो रसीद बदली गई है।\n";
  return kVerifyGenuine;
}

int VerifyReceiptCommand(const std::string& code, const std::string& public_key_text) {
  return VerifyReceiptCommand(code, public_key_text, std::cout, std::cerr);
}

}  // namespace palika::documents
