// CSV reading and the bulk import of legacy property records: row-by-row problems with line and
// column, nothing half-imported, re-runs that duplicate nothing, and a ledger that still verifies.

#include "services/property_tax/import_properties.h"

#include <gtest/gtest.h>

#include "services/property_tax/import_csv.h"
#include "services/property_tax/property_testing.h"

namespace palika::property_tax {
namespace {

using test::kUlb;

std::vector<CsvRecord> ReadAll(std::string_view text) {
  CsvReader reader(text);
  std::vector<CsvRecord> out;
  CsvRecord rec;
  for (;;) {
    auto more = reader.Next(&rec);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.push_back(rec);
  }
  return out;
}

TEST(CsvReader, QuotesLineBreaksCommentsAndLineNumbers) {
  auto rows = ReadAll(
      "\xEF\xBB\xBF"
      "a,b,c\r\n"
      "# a comment, with commas\n"
      "\n"
      "1,\"x, y\",\"say \"\"hi\"\"\"\n"
      "2,\"two\nlines\",\n"
      "3,,last");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ(rows[1].line, 4u);
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"2", "two\nlines", ""}));
  EXPECT_EQ(rows[2].line, 5u);
  EXPECT_EQ(rows[3].fields, (std::vector<std::string>{"3", "", "last"}));
  EXPECT_EQ(rows[3].line, 7u);
}

TEST(CsvReader, UnclosedQuoteNamesTheLineItOpenedOn) {
  CsvReader reader("a,b\n1,2\n3,\"never closed\n4,5\n");
  CsvRecord rec;
  ASSERT_TRUE(*reader.Next(&rec));
  ASSERT_TRUE(*reader.Next(&rec));
  auto bad = reader.Next(&rec);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "bad_csv");
  EXPECT_NE(bad.status().message().find("Line 3"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message_hi().find("पंक्ति 3"), std::string::npos);
}

constexpr char kHeader[] =
    "legacy_id,ward,zone,address,address_hi,plot_area_sqft,"
    "owner1_name,owner1_name_hi,owner1_mobile,owner1_share_bp,"
    "owner2_name,owner2_name_hi,owner2_mobile,owner2_share_bp,"
    "floor1_floor,floor1_built_up_sqft,floor1_construction,floor1_use,floor1_occupancy,"
    "floor2_floor,floor2_built_up_sqft,floor2_construction,floor2_use,floor2_occupancy\n";

// Line numbers below count the header as line 1.
const std::string kGood =
    std::string(kHeader) +
    "IND-1,3,,\"12, Gandhi Marg\",\"12, गांधी मार्ग\",\"1,200\",Ramesh Sharma,रमेश शर्मा,"
    "+91 98765 43210,,Sunita Sharma,सुनीता शर्मा,,,0,900.00,RCC,Residential,Self,1,700,R.C.C.,"
    "shop,tenant\n"
    "IND-2,1,Zone 9,4 Tilak Path,4 तिलक पथ,800,Geeta Verma,गीता वर्मा,7000012345,10000,,,,,"
    "0,600,Tin Shed,commercial godown,rented,,,,,\n"
    "IND-3,12,,Plot 9 Station Road,प्लॉट 9 स्टेशन रोड,2400,Abdul Khan,अब्दुल ख़ान,,,,,,,,,,,,,,,,\n";

class ImportTest : public test::RegisterFixture {
 protected:
  ImportReport MustImport(const std::string& csv) {
    ImportOptions options;
    options.ulb = kUlb;
    options.wards = {1, 3, 12};
    options.concurrency = 16;
    options.chunk_rows = 2;  // several chunks even in a small file
    auto r = ImportProperties(*register_, csv, options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportReport{};
  }
};

TEST_F(ImportTest, ImportsRowsWithOwnersAndFloorsInOneEntryEach) {
  const uint64_t before = Entries();
  auto report = MustImport(kGood);
  EXPECT_EQ(report.rows, 3u);
  EXPECT_EQ(report.imported, 3u);
  EXPECT_TRUE(report.problems.empty()) << report.problems.front().message;
  // One property.registered and one idempotency record per row.
  EXPECT_EQ(Entries(), before + 6);

  ASSERT_EQ(report.rows_imported.size(), 3u);
  EXPECT_EQ(report.rows_imported[0].line, 2u);
  EXPECT_EQ(report.rows_imported[0].legacy_id, "IND-1");
  auto p = register_->Get(kUlb, report.rows_imported[0].id);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const PropertyDetails& d = p->details;
  EXPECT_EQ(d.ward, 3);
  EXPECT_EQ(d.zone, "Zone 2");
  EXPECT_EQ(d.plot_area_sqft, 1200);
  ASSERT_EQ(d.owners.size(), 2u);
  EXPECT_EQ(d.owners[0].mobile, "9876543210");
  EXPECT_EQ(d.owners[0].share_bp, 5000) << "no shares given: equal shares";
  ASSERT_EQ(d.floors.size(), 2u);
  EXPECT_EQ(d.floors[0], (Floor{0, 900, "rcc", "residential", "self"}));
  EXPECT_EQ(d.floors[1], (Floor{1, 700, "rcc", "commercial_shop", "rented"}));
  EXPECT_EQ(d.legacy_id, "IND-1");

  auto godown = register_->Get(kUlb, report.rows_imported[1].id);
  EXPECT_EQ(godown->details.zone, "Zone 9");
  EXPECT_EQ(godown->details.floors.at(0).construction, "tin_shed");
  EXPECT_EQ(godown->details.floors.at(0).use, "commercial_godown");
  auto plot = register_->Get(kUlb, report.rows_imported[2].id);
  EXPECT_TRUE(plot->details.floors.empty()) << "a vacant plot";
  EXPECT_EQ(Find("ind-2"), std::vector<std::string>{report.rows_imported[1].id});
  ExpectReplayMatches();
}

TEST_F(ImportTest, ARerunDuplicatesNothing) {
  auto first = MustImport(kGood);
  ASSERT_EQ(first.imported, 3u);
  const uint64_t after_first = Entries();
  auto again = MustImport(kGood);
  EXPECT_EQ(again.imported, 0u);
  EXPECT_EQ(again.already, 3u);
  EXPECT_TRUE(again.problems.empty());
  EXPECT_EQ(Entries(), after_first);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again.rows_imported[i].id, first.rows_imported[i].id);
    EXPECT_TRUE(again.rows_imported[i].already);
  }
  EXPECT_EQ(Find("").size(), 3u);

  // A row that changed since: reported, not imported a second time.
  std::string changed = kGood;
  changed.replace(changed.find("4 Tilak Path"), 12, "6 Tilak Path");
  auto third = MustImport(changed);
  EXPECT_EQ(third.already, 2u);
  ASSERT_EQ(third.problems.size(), 1u);
  EXPECT_EQ(third.problems[0].line, 3u);
  EXPECT_EQ(third.problems[0].field, "legacy_id");
  EXPECT_NE(third.problems[0].message.find("imported before with different data"),
            std::string::npos);
  EXPECT_EQ(Entries(), after_first);
  ExpectReplayMatches();
}

TEST_F(ImportTest, BadRowsAreReportedByLineAndColumnAndWriteNothing) {
  const std::string csv =
      std::string(kHeader) +
      // line 2: fine
      "A-1,3,,1 Gandhi Marg,1 गांधी मार्ग,500,Ram Lal,राम लाल,9000000001,,,,,,0,400,rcc,"
      "residential,self,,,,,\n"
      // line 3: a bad mobile for the second owner
      "A-2,3,,2 Gandhi Marg,2 गांधी मार्ग,500,Ram Lal,राम लाल,,,Shyam Lal,श्याम लाल,12345,,"
      "0,400,rcc,residential,self,,,,,\n"
      // line 4: a ward the ULB does not have
      "A-3,7,,3 Gandhi Marg,3 गांधी मार्ग,500,Ram Lal,राम लाल,,,,,,,0,400,rcc,residential,self,"
      ",,,,\n"
      // line 5: too few fields
      "A-4,3,,4 Gandhi Marg\n"
      // line 6: a floor's construction unknown, second floor
      "A-5,3,,5 Gandhi Marg,5 गांधी मार्ग,500,Ram Lal,राम लाल,,,,,,,0,400,rcc,residential,self,"
      "1,300,steel,residential,self\n"
      // line 7: area not a whole number
      "A-6,3,,6 Gandhi Marg,6 गांधी मार्ग,500.5,Ram Lal,राम लाल,,,,,,,,,,,,,,,,\n"
      // line 8: the same legacy id as line 2
      "A-1,3,,7 Gandhi Marg,7 गांधी मार्ग,500,Ram Lal,राम लाल,,,,,,,,,,,,,,,,\n"
      // line 9: no legacy id
      ",3,,8 Gandhi Marg,8 गांधी मार्ग,500,Ram Lal,राम लाल,,,,,,,,,,,,,,,,\n"
      // line 10: the owner's Hindi name written in English
      "A-9,3,,9 Gandhi Marg,9 गांधी मार्ग,500,Ram Lal,Ram Lal,,,,,,,,,,,,,,,,\n"
      // line 11: shares that do not add up
      "A-10,3,,10 Gandhi Marg,10 गांधी मार्ग,500,Ram Lal,राम लाल,,6000,Sita Lal,सीता लाल,,3000,"
      ",,,,,,,,,\n";
  const uint64_t before = Entries();
  auto report = MustImport(csv);
  EXPECT_EQ(report.rows, 10u);
  EXPECT_EQ(report.imported, 1u);
  struct Want {
    size_t line;
    std::string field;
  };
  const std::vector<Want> want = {
      {3, "owner2_mobile"},  {4, "ward"},      {5, ""},          {6, "floor2_construction"},
      {7, "plot_area_sqft"}, {8, "legacy_id"}, {9, "legacy_id"}, {10, "owner1_name_hi"},
      {11, "owners"}};
  ASSERT_EQ(report.problems.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(report.problems[i].message);
    EXPECT_EQ(report.problems[i].line, want[i].line);
    EXPECT_EQ(report.problems[i].field, want[i].field);
    EXPECT_FALSE(report.problems[i].message.empty());
    EXPECT_NE(report.problems[i].message_hi, report.problems[i].message) << "a Hindi message";
  }
  EXPECT_EQ(Entries(), before + 2) << "only the good row (and its idempotency record)";
  EXPECT_EQ(Find("").size(), 1u);

  const std::string out = ImportReportCsv(report);
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "line,legacy_id,result,property_id,field,problem,problem_hi");
  EXPECT_NE(out.find("\n2,A-1,imported,03-000001,,,\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\n3,A-2,refused,,owner2_mobile,"), std::string::npos) << out;
  ExpectReplayMatches();
}

TEST_F(ImportTest, AMalformedHeaderRefusesTheWholeFile) {
  ImportOptions options;
  options.ulb = kUlb;
  for (const std::string& csv :
       {std::string("legacy_id,ward,address,address_hi,owner1_name,owner1_name_hi,colour\n"),
        std::string("legacy_id,ward,address,owner1_name,owner1_name_hi\n"),
        std::string("legacy_id,ward,address,address_hi,owner1_name,owner1_name_hi,ward\n"),
        std::string("legacy_id,ward,address,address_hi,owner1_name,owner1_name_hi,"
                    "owner21_name\n"),
        std::string("# only a comment\n")}) {
    SCOPED_TRACE(csv);
    auto r = ImportProperties(*register_, csv, options);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_NE(r.status().message_hi(), r.status().message());
  }
  EXPECT_EQ(Find("").size(), 0u);
}

TEST_F(ImportTest, OwnerAndFloorGroupsMayHaveGaps) {
  const std::string csv =
      "legacy_id,ward,address,address_hi,owner1_name,owner1_name_hi,owner3_name,owner3_name_hi,"
      "owner3_mobile,floor2_floor,floor2_built_up_sqft,floor2_construction,floor2_use,"
      "floor2_occupancy\n"
      "G-1,1,1 Ram Bagh,1 राम बाग,Ram Lal,राम लाल,Sita Lal,सीता लाल,98765,0,100,rcc,mixed,self\n"
      "G-2,1,2 Ram Bagh,2 राम बाग,Ram Lal,राम लाल,,,,0,100,rcc,mixed,self\n";
  auto report = MustImport(csv);
  EXPECT_EQ(report.imported, 1u);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].line, 2u);
  EXPECT_EQ(report.problems[0].field, "owner3_mobile") << "named by its own column number";
  auto p = register_->Get(kUlb, report.rows_imported.at(0).id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->details.owners.size(), 1u);
  EXPECT_EQ(p->details.floors.size(), 1u);
}

}  // namespace
}  // namespace palika::property_tax
