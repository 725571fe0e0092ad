#pragma once
// `palika verify-receipt CODE`: checks a receipt code offline with only a public key and prints
// the verdict and the signed fields in Hindi and English.
//
// `code` may be the bare code or a scanned URL ending in /verify/<code>. `public_key_text` is a
// verifier key in signed-note form ("name+hash+base64"): either the node's key (the contents of
// node.pub; the receipt key of the ULB named in the code is derived from it) or a ULB's receipt
// key ("palika-receipts/<ulb>+..."). Returns 0 if genuine, 3 if not genuine, 2 if the public key
// cannot be read. Thread-compatible (writes to the given streams).

#include <ostream>
#include <string>

namespace palika::documents {

inline constexpr int kVerifyGenuine = 0;
inline constexpr int kVerifyBadKey = 2;
inline constexpr int kVerifyNotGenuine = 3;

int VerifyReceiptCommand(const std::string& code, const std::string& public_key_text,
                         std::ostream& out, std::ostream& err);
// The same, on std::cout and std::cerr.
int VerifyReceiptCommand(const std::string& code, const std::string& public_key_text);

}  // namespace palika::documents
