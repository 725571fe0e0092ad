#include "documents/verify_page.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <sstream>

#include "documents/test_receipt.h"
#include "documents/verify_receipt_cli.h"

namespace palika::documents {
namespace {

using testing::SampleReceipt;

struct Fixture {
  ledger::NoteSigner node = ledger::GenerateSigner("palika/node-3fa2c1d4").value();
  std::string code = MakeReceiptCode(SampleReceipt(), ReceiptSigner(node, "0152").value()).value();
  std::string Tampered() const {
    std::string c = code;
    c[c.size() / 2] = c[c.size() / 2] == 'A' ? 'B' : 'A';
    return c;
  }
};

TEST(VerifyPage, Json) {
  const Fixture f;
  const boost::json::object ok =
      VerifiedReceiptJson(VerifyReceiptCodeWithNodeKey(f.code, f.node.Verifier()));
  EXPECT_EQ(ok.at("genuine").as_bool(), true);
  const boost::json::object& receipt = ok.at("receipt").as_object();
  EXPECT_EQ(receipt.at("receipt_no").as_string(), "0152/2026-27/C1/000123");
  EXPECT_EQ(receipt.at("date").as_string(), "2026-11-28");
  EXPECT_EQ(receipt.at("amount_paise").as_int64(), 1'23'456'50);
  EXPECT_EQ(receipt.at("seq").as_uint64(), 4711u);
  const boost::json::object bad =
      VerifiedReceiptJson(VerifyReceiptCodeWithNodeKey(f.Tampered(), f.node.Verifier()));
  EXPECT_EQ(bad.at("genuine").as_bool(), false);
  EXPECT_FALSE(bad.at("error").at("code").as_string().empty());
  EXPECT_NE(bad.at("error").at("message_hi").as_string(),
            bad.at("error").at("message").as_string());
}

TEST(VerifyReceiptCli, GenuineWithNodePubOrReceiptKey) {
  const Fixture f;
  for (const std::string& key : {f.node.Verifier().ToString() + "\n",
                                 ReceiptVerifier(f.node.Verifier(), "0152").value().ToString()}) {
    std::ostringstream out, err;
    EXPECT_EQ(VerifyReceiptCommand(f.code, key, out, err), 0) << err.str();
    EXPECT_NE(out.str().find("GENUINE RECEIPT / असली रसीद"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("0152/2026-27/C1/000123"), std::string::npos);
    EXPECT_NE(out.str().find("₹1,23,456.50"), std::string::npos);
    EXPECT_NE(out.str().find("रुपये एक लाख"), std::string::npos);
  }
  // A scanned URL works as well as the bare code.
  std::ostringstream out, err;
  EXPECT_EQ(VerifyReceiptCommand("https://palika.example/verify/" + f.code,
                                 f.node.Verifier().ToString(), out, err),
            0);
}

TEST(VerifyReceiptCli, NotGenuineAndBadKey) {
  const Fixture f;
  std::ostringstream out, err;
  EXPECT_EQ(VerifyReceiptCommand(f.Tampered(), f.node.Verifier().ToString(), out, err),
            kVerifyNotGenuine);
  EXPECT_NE(out.str().find("NOT GENUINE / असली नहीं"), std::string::npos) << out.str();
  const ledger::NoteSigner other = ledger::GenerateSigner("palika/node-other").value();
  EXPECT_EQ(VerifyReceiptCommand(f.code, other.Verifier().ToString(), out, err), kVerifyNotGenuine);
  EXPECT_EQ(VerifyReceiptCommand(f.code, "not a key", out, err), kVerifyBadKey);
  EXPECT_NE(err.str().find("node.pub"), std::string::npos);
}

}  // namespace
}  // namespace palika::documents
