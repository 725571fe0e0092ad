#include "core/encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace palika {
namespace {

// FIPS 180-2's examples; each thread reuses one digest context, so hashes follow one another.
TEST(Sha256, GivesTheStandardDigestsCallAfterCall) {
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(HexEncode(Sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(HexEncode(Sha256("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(HexEncode(Sha256(std::string(1000000, 'a'))),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
  std::string other_thread;
  std::thread([&] { other_thread = HexEncode(Sha256("abc")); }).join();
  EXPECT_EQ(other_thread, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace palika
