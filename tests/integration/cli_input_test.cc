// Bad input on the command line (issue 2, "Bad input gets a clear error ... and changes
// nothing"): an option out of its range or not a number is refused before anything is opened,
// with CLI11's English message and a Hindi line saying what to do, a non-zero exit code, and no
// ledger entry written anywhere. `--help` still exits 0 without an error.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CliInputTest, AnOptionOutOfRangeIsRefusedInBothLanguagesAndWritesNothing) {
  auto server = PalikaServer::CreateDemo();
  ASSERT_TRUE(server);
  const auto before = server->EntryCounts();
  const std::string dir = server->data_dir().string();
  for (const std::string batch : {"0", "5001", "-3", "five hundred"}) {
    SCOPED_TRACE("--batch " + batch);
    RunResult r = RunPalika(
        {"demand", "raise", "--data", dir, "--ulb", kIndore, "--fy", "2026-27", "--batch", batch});
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("--batch")) << "the English message names the option";
    EXPECT_THAT(r.output, HasSubstr("त्रुटि: आदेश में दिया गया विकल्प या मान गलत है"));
    EXPECT_THAT(r.output, HasSubstr("कुछ भी लिखा या बदला नहीं गया"));
  }
  // A server flag out of range is refused the same way, before any port is opened.
  RunResult serve =
      RunPalika({"serve", "--data", dir, "--listen", "127.0.0.1:0", "--sync-timeout", "0"});
  EXPECT_NE(serve.exit_code, 0) << serve.output;
  EXPECT_THAT(serve.output, HasSubstr("त्रुटि: आदेश में दिया गया विकल्प या मान गलत है"));
  EXPECT_EQ(server->EntryCounts(), before) << "a refused command wrote to a ledger";

  RunResult help = RunPalika({"demand", "raise", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_THAT(help.output, HasSubstr("--batch"));
  EXPECT_THAT(help.output, Not(HasSubstr("त्रुटि")));
}

}  // namespace
}  // namespace palika::integration
