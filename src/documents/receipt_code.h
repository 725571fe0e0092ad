#pragma once
// The signed receipt code: what a receipt's QR code carries and what GET /verify/{code} and
// `palika verify-receipt CODE` check. Anyone holding the ULB's public key can tell a genuine
// receipt from a forged or altered one, offline.
//
// Format, version 1 ("PR1"). The signed text is nine lines, each ending in '\n':
//   PR1                        format and version
//   0152                       ULB code
//   0152/2026-27/C1/000123     receipt number
//   20261128                   date of payment in IST, YYYYMMDD
//   0152-W12-000345            property id
//   12345650                   amount in paise, decimal, no leading zeros
//   Ramesh Kumar Sharma        payer (the English name, else the Hindi one; at most 60 bytes, cut
//                              at a character boundary)
//   node-3fa2c1d4              ledger origin of the payment entry
//   4711                       its sequence number in that log
// code = base64url, unpadded (text || key hash (4 bytes, big-endian) || Ed25519 signature of
// text (64 bytes)). The sample receipt's code (24-character payer) is 238 characters: a version 11
// QR symbol (61 modules) at level M; with the longest payer and typical ids about 290 (version
// 12); a "https://host/verify/" prefix in the QR adds about one version. Only URL-unreserved
// characters, so the code is also a path segment: /verify/{code}.
//
// The key is the node's Ed25519 key under the name "palika-receipts/<ulb>" (key hash as in
// signed_note.h), so checkpoints and receipts never share a signed text (checkpoints begin with
// the log name "palika/…"). Verification rejects any change to any character: the base64url
// decoding is canonical, the key hash must be the verifier's, the signature must check (libsodium
// refuses malleable signatures) and the ULB in the text must be the one the key is named for.
// Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "documents/receipt.h"
#include "ledger/signed_note.h"

namespace palika::documents {

inline constexpr std::string_view kReceiptKeyPrefix = "palika-receipts/";
// At most this many bytes of the payer's name are signed (cut at a UTF-8 character boundary).
inline constexpr size_t kMaxSignedPayerBytes = 60;

// The fields a receipt code signs.
struct ReceiptCodeFields {
  std::string ulb;
  std::string receipt_no;
  CivilDate date;  // IST
  std::string property_id;
  Money amount;
  std::string payer;
  std::string origin;
  uint64_t seq = 0;

  friend bool operator==(const ReceiptCodeFields&, const ReceiptCodeFields&) = default;
};

// A code whose signature checked, with what it says.
struct VerifiedReceipt {
  ReceiptCodeFields fields;
  std::string key_name;  // "palika-receipts/0152"
};

// "palika-receipts/0152".
std::string ReceiptKeyName(std::string_view ulb);
// The node key under the ULB's receipt key name (signer and public verifier). InvalidArgument if
// the ULB code cannot be part of a key name.
Result<ledger::NoteSigner> ReceiptSigner(const ledger::NoteSigner& node_key, std::string_view ulb);
Result<ledger::NoteVerifier> ReceiptVerifier(const ledger::NoteVerifier& node_key,
                                             std::string_view ulb);

// The signed fields of a receipt: payer is payer_name_en, or payer_name_hi where that is empty,
// truncated to kMaxSignedPayerBytes.
ReceiptCodeFields CodeFieldsOf(const Receipt& receipt);

// Signs the fields with `receipt_key`, which must be named ReceiptKeyName(fields.ulb).
// InvalidArgument "invalid_receipt_code_field" for an empty or over-long field (ULB over 16
// bytes, receipt number, property id or origin over 64), a control character or invalid UTF-8,
// a negative amount or seq 0; "receipt_key_mismatch" for a key of another name.
Result<std::string> EncodeReceiptCode(const ReceiptCodeFields& fields,
                                      const ledger::NoteSigner& receipt_key);
inline Result<std::string> MakeReceiptCode(const Receipt& receipt,
                                           const ledger::NoteSigner& receipt_key) {
  return EncodeReceiptCode(CodeFieldsOf(receipt), receipt_key);
}

// Checks a code against one ULB's receipt key. Every failure is InvalidArgument with a message
// in English and Hindi: "receipt_code_malformed" (not base64url, too short, not a receipt code),
// "receipt_code_version" (a format this build does not know), "receipt_wrong_key" (signed by
// another key, or the key hash was altered), "receipt_not_genuine" (the signature does not
// match the text: altered or forged), "receipt_wrong_ulb" (genuine for another ULB).
Result<VerifiedReceipt> VerifyReceiptCode(std::string_view code,
                                          const ledger::NoteVerifier& receipt_key);
// The same, given the node's public key (node.pub): the receipt key is derived for the ULB the
// code names, so a server or auditor with one node key can check every ULB's receipts.
Result<VerifiedReceipt> VerifyReceiptCodeWithNodeKey(std::string_view code,
                                                     const ledger::NoteVerifier& node_key);

// The code inside what a person pasted or a scanner read: the whole text, trimmed, or the part
// after the last "/verify/" of a URL (without any query or fragment).
std::string_view ReceiptCodeFromText(std::string_view text);

}  // namespace palika::documents
