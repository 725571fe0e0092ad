// `palika export` (issue 4, "Restore and verify"): a ULB's complete data as CSV per table with
// its ledger, latest checkpoint and a README, taken from a running server; the files check out
// with sha256sum, Hindi text survives, and a second export never overwrites the first.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Lines of a CSV file whose fields hold no line breaks (what these tables hold).
size_t Lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

class ExportTest : public DemoServerTest {};

TEST_F(ExportTest, AWholeUlbWhileTheServerRuns) {
  // Something with Hindi text, commas and quotes to carry.
  const std::string revenue = server_->SignIn("indore.revenue");
  auto created = server_->Request(
      "POST", "/api/v1/ulbs/0152/properties",
      R"({"ward": 2, "address": "12, \"Shanti Kunj\", MG Road", "address_hi": "12, \"शांति कुंज\", एमजी रोड",
          "plot_area_sqft": 800,
          "owners": [{"name": "Kamla Devi", "name_hi": "कमला देवी", "share_bp": 10000}],
          "floors": [{"floor": 0, "built_up_sqft": 600, "construction": "rcc",
                      "use": "residential", "occupancy": "self"}]})",
      revenue);
  ASSERT_EQ(created.status, 201) << created.body;

  const fs::path to = server_->data_dir().parent_path() / "export-0152";
  RunResult r = RunPalika(
      {"export", "--data", server_->data_dir().string(), "--ulb", "0152", "--to", to.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Exported ULB 0152"));

  // Every table, row for row (plus the header).
  for (const std::string table : {"properties", "property_owners", "ledger_entries", "wards"}) {
    const std::string csv = ReadFile(to / "tables" / (table + ".csv"));
    ASSERT_FALSE(csv.empty()) << table;
    const std::string count = server_->Query("0152", "SELECT COUNT(*) FROM " + table);
    EXPECT_EQ(Lines(csv), std::stoul(count) + 1) << table;
  }
  const std::string owners = ReadFile(to / "tables" / "property_owners.csv");
  EXPECT_THAT(owners, HasSubstr("कमला देवी"));
  const std::string properties = ReadFile(to / "tables" / "properties.csv");
  EXPECT_THAT(properties, HasSubstr(R"("12, ""Shanti Kunj"", MG Road")"));  // RFC 4180 quoting
  EXPECT_THAT(ReadFile(to / "tables" / "ledger_entries.csv"),
              HasSubstr("origin,seq,ulb,time_us,actor,type,payload"));
  // The checkpoint and the key that signs it; a README that explains the files.
  EXPECT_THAT(ReadFile(to / "checkpoint.txt"), HasSubstr("/0152\n"));
  EXPECT_EQ(ReadFile(to / "node.pub"), ReadFile(server_->data_dir() / "node.pub"));
  const std::string readme = ReadFile(to / "README.md");
  EXPECT_THAT(readme, HasSubstr("tables/properties.csv"));
  EXPECT_THAT(readme, HasSubstr("paise"));
  EXPECT_THAT(readme, HasSubstr("property_search"));  // named as not exported
  // Nothing changed since it was written; a changed byte is caught.
  RunResult sums =
      RunProgram({"/bin/sh", "-c", "cd '" + to.string() + "' && sha256sum --quiet -c SHA256SUMS"});
  EXPECT_EQ(sums.exit_code, 0) << sums.output;
  { std::ofstream(to / "tables" / "wards.csv", std::ios::app) << "99,forged\r\n"; }
  sums =
      RunProgram({"/bin/sh", "-c", "cd '" + to.string() + "' && sha256sum --quiet -c SHA256SUMS"});
  EXPECT_NE(sums.exit_code, 0);
  EXPECT_THAT(sums.output, HasSubstr("wards.csv"));
}

TEST_F(ExportTest, NeverOverwritesAndNamesWhatIsWrong) {
  const fs::path to = server_->data_dir().parent_path() / "export-again";
  const std::string data = server_->data_dir().string();
  ASSERT_EQ(RunPalika({"export", "--data", data, "--ulb", "0276", "--to", to.string()}).exit_code,
            0);
  const std::string before = ReadFile(to / "SHA256SUMS");
  RunResult again = RunPalika({"export", "--data", data, "--ulb", "0276", "--to", to.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.output, HasSubstr("already exists"));
  EXPECT_THAT(again.output, HasSubstr("पहले से मौजूद"));
  EXPECT_EQ(ReadFile(to / "SHA256SUMS"), before);

  RunResult unknown =
      RunPalika({"export", "--data", data, "--ulb", "0999", "--to", (to.string() + "-x")});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("no ledger for ULB 0999"));
  EXPECT_FALSE(fs::exists(to.string() + "-x"));
  RunResult bad =
      RunPalika({"export", "--data", data, "--ulb", "../x", "--to", to.string() + "-y"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.output, HasSubstr("not a ULB code"));
}

}  // namespace
}  // namespace palika::integration
