// The property register through a real ULB ledger in a temporary data directory: registration
// and id allocation per ward, corrections and history, validation, idempotent retries, search in
// both scripts, and a replay (verify) that rebuilds every table exactly.

#include "services/property_tax/register.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <thread>

#include "services/property_tax/property_testing.h"

namespace palika::property_tax {
namespace {

namespace json = boost::json;

using test::kUlb;
using test::Sample;
using RegisterTest = test::RegisterFixture;

TEST(PropertyId, FormatsAndParsesShortForms) {
  EXPECT_EQ(FormatPropertyId(3, 123), "03-000123");
  EXPECT_EQ(FormatPropertyId(112, 5), "112-000005");
  for (std::string_view s : {"03-000123", "3-123", "003-123", "03-123"}) {
    auto n = ParsePropertyId(s);
    ASSERT_TRUE(n.has_value()) << s;
    EXPECT_EQ(n->ward, 3);
    EXPECT_EQ(n->serial, 123);
  }
  for (std::string_view s : {"", "-1", "3-", "0003-1", "3-1234567", "03-0", "0-5", "a-1", "3_1",
                             "03-00012a", "03 000123"}) {
    EXPECT_FALSE(ParsePropertyId(s).has_value()) << s;
  }
  EXPECT_EQ(*CanonicalPropertyId("3-7"), "03-000007");
  EXPECT_EQ(CanonicalPropertyId("abc").status().code(), "invalid_property_id");
}

TEST(Mobile, NormalisesTheCommonForms) {
  EXPECT_EQ(NormaliseMobile("9876543210"), "9876543210");
  EXPECT_EQ(NormaliseMobile("+91 98765 43210"), "9876543210");
  EXPECT_EQ(NormaliseMobile("91-98765-43210"), "9876543210");
  EXPECT_EQ(NormaliseMobile("098765 43210"), "9876543210");
  EXPECT_FALSE(NormaliseMobile("5876543210"));  // mobiles start with 6-9
  EXPECT_FALSE(NormaliseMobile("987654321"));
  EXPECT_FALSE(NormaliseMobile("98765432100"));
  EXPECT_FALSE(NormaliseMobile("98765x3210"));
  EXPECT_FALSE(NormaliseMobile("9876+543210"));
}

TEST(PropertyDetailsJson, RoundTripsAndSplitsSharesEqually) {
  PropertyDetails d = Sample();
  d.zone = "Zone 2";
  d.legacy_id = "IND/W3/0042";
  auto back = ParsePropertyDetails(DetailsJson(d));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, d);

  json::object body = DetailsJson(Sample());
  json::array owners;
  for (const char* n : {"Ram", "Shyam", "Mohan"}) {
    owners.push_back(json::object{{"name", n}, {"name_hi", "राम"}});
  }
  body["owners"] = owners;
  auto split = ParsePropertyDetails(body);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(split->owners[0].share_bp, 3334);
  EXPECT_EQ(split->owners[1].share_bp, 3333);
  EXPECT_EQ(split->owners[2].share_bp, 3333);
}

// Each bad input is refused with one bilingual error that names the field.
TEST(PropertyDetailsJson, ErrorsNameTheFieldInBothLanguages) {
  struct Case {
    std::string what;
    std::function<void(json::object&)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"no ward", [](json::object& o) { o.erase("ward"); }, "ward"},
      {"ward as text", [](json::object& o) { o["ward"] = "3"; }, "ward"},
      {"ward 0", [](json::object& o) { o["ward"] = 0; }, "ward"},
      {"English address in Hindi", [](json::object& o) { o["address"] = "गांधी मार्ग"; }, "address"},
      {"Hindi address in English", [](json::object& o) { o["address_hi"] = "Gandhi Marg"; },
       "address_hi"},
      {"no owners", [](json::object& o) { o["owners"] = json::array(); }, "owners"},
      {"bad mobile",
       [](json::object& o) { o["owners"].as_array()[0].as_object()["mobile"] = "12345"; },
       "owners[0].mobile"},
      {"Hindi name missing",
       [](json::object& o) { o["owners"].as_array()[1].as_object().erase("name_hi"); },
       "owners[1].name_hi"},
      {"shares not 100%",
       [](json::object& o) { o["owners"].as_array()[0].as_object()["share_bp"] = 5000; }, "owners"},
      {"some shares missing",
       [](json::object& o) { o["owners"].as_array()[0].as_object().erase("share_bp"); }, "owners"},
      {"unknown construction",
       [](json::object& o) { o["floors"].as_array()[1].as_object()["construction"] = "steel"; },
       "floors[1].construction"},
      {"unknown use",
       [](json::object& o) { o["floors"].as_array()[0].as_object()["use"] = "shop"; },
       "floors[0].use"},
      {"fractional area",
       [](json::object& o) { o["floors"].as_array()[0].as_object()["built_up_sqft"] = 900.5; },
       "floors[0].built_up_sqft"},
      {"unknown owner field",
       [](json::object& o) { o["owners"].as_array()[0].as_object()["age"] = 40; }, "owners[0].age"},
      {"unknown field", [](json::object& o) { o["colour"] = "blue"; }, "colour"},
      {"vacant plot without area",
       [](json::object& o) {
         o["floors"] = json::array();
         o["plot_area_sqft"] = 0;
       },
       "plot_area_sqft"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    json::object body = DetailsJson(Sample());
    c.change(body);
    auto r = ParsePropertyDetails(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_NE(r.status().message().find("'" + c.field + "'"), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message_hi().find("'" + c.field + "'"), std::string::npos);
    EXPECT_NE(r.status().message_hi().find("फ़ील्ड"), std::string::npos) << r.status().message_hi();
  }
  // A CSV import names columns instead.
  json::object body = DetailsJson(Sample());
  body["owners"].as_array()[1].as_object()["mobile"] = "123";
  auto r = ParsePropertyDetails(body, [](std::string_view path) {
    return path == "owners[1].mobile" ? std::string("owner2_mobile") : std::string(path);
  });
  EXPECT_NE(r.status().message().find("'owner2_mobile'"), std::string::npos);
}

TEST_F(RegisterTest, AllocatesReadableIdsPerWard) {
  EXPECT_EQ(MustRegister(Sample(3)).id, "03-000001");
  EXPECT_EQ(MustRegister(Sample(3)).id, "03-000002");
  EXPECT_EQ(MustRegister(Sample(1)).id, "01-000001");
  EXPECT_EQ(MustRegister(Sample(12)).id, "12-000001");
  EXPECT_EQ(MustRegister(Sample(3)).id, "03-000003");

  auto p = register_->Get(kUlb, "03-000002");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->version, 1);
  EXPECT_EQ(p->details.zone, "Zone 2") << "the ward's zone when none is given";
  PropertyDetails want = Sample(3);
  want.zone = "Zone 2";
  EXPECT_EQ(p->details, want);
  EXPECT_GT(p->registered_us, 0);
  EXPECT_EQ(register_->Get(kUlb, "03-000009").status().code(), "property_not_found");
  ExpectReplayMatches();
}

TEST_F(RegisterTest, ConcurrentRegistrationsGetDistinctSerials) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> ids;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = register_->Register(kUlb, {"usr_test", "", ""}, Sample(1));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        std::lock_guard lk(mu);
        ids.insert(r->id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(*ids.begin(), "01-000001");
  EXPECT_EQ(*ids.rbegin(), "01-000200");
  ExpectReplayMatches();
}

TEST_F(RegisterTest, ABatchIsOneCommandWithSerialsInOrder) {
  MustRegister(Sample(3));
  auto ids = register_->RegisterBatch(kUlb, "usr_test", {Sample(3), Sample(1), Sample(3)});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<std::string>{"03-000002", "01-000001", "03-000003"}));
  EXPECT_EQ(Find("sharma").size(), 4u);

  // All or nothing: a legacy id given twice refuses the whole batch.
  const uint64_t before = Entries();
  PropertyDetails a = Sample(1);
  a.legacy_id = "X-1";
  auto twice = register_->RegisterBatch(kUlb, "usr_test", {Sample(1), a, a});
  EXPECT_EQ(twice.status().code(), "legacy_id_exists");
  EXPECT_EQ(Entries(), before);
  ExpectReplayMatches();
}

TEST_F(RegisterTest, UnknownWardIsRefusedAndNothingIsWritten) {
  const uint64_t before = Entries();
  auto r = register_->Register(kUlb, {"usr_test", "", ""}, Sample(7));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "invalid_field");
  EXPECT_NE(r.status().message().find("'ward'"), std::string::npos);
  EXPECT_NE(r.status().message_hi().find("वार्ड 7"), std::string::npos);
  PropertyDetails bad = Sample();
  bad.owners[0].share_bp = 1;
  EXPECT_EQ(register_->Register(kUlb, {"usr_test", "", ""}, bad).status().code(), "invalid_field");
  EXPECT_EQ(Entries(), before);
  EXPECT_EQ(register_->Register("0999", {"usr_test", "", ""}, Sample()).status().kind(),
            StatusKind::kNotFound);
}

TEST_F(RegisterTest, CorrectionKeepsIdAndHistory) {
  const std::string id = MustRegister(Sample(3)).id;
  PropertyDetails fixed = Sample(3);
  fixed.owners[1].mobile = "9123456780";
  fixed.floors.push_back({2, 500, "tin_shed", "commercial_godown", "rented"});
  WriteContext ctx{"usr_revenue", "", ""};
  auto c = register_->Correct(kUlb, ctx, id, fixed, "Second floor found on survey", 1);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->id, id);
  EXPECT_EQ(c->version, 2);
  EXPECT_TRUE(c->changed);

  // Moving to another ward keeps the id; the old ward's serials carry on.
  PropertyDetails moved = fixed;
  moved.ward = 12;
  c = register_->Correct(kUlb, ctx, id, moved, "Ward boundaries redrawn (delimitation 2025)",
                         std::nullopt);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->version, 3);
  EXPECT_EQ(MustRegister(Sample(3)).id, "03-000002");
  EXPECT_EQ(register_->Get(kUlb, id)->details.zone, "Zone 3");

  // The same record again changes nothing and writes nothing.
  const uint64_t before = Entries();
  auto same = register_->Correct(kUlb, ctx, id, moved, "again", std::nullopt);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_FALSE(same->changed);
  EXPECT_EQ(same->version, 3);
  EXPECT_EQ(Entries(), before);

  // A correction made against an old version is refused.
  auto stale = register_->Correct(kUlb, ctx, id, Sample(3), "stale", 2);
  EXPECT_EQ(stale.status().code(), "property_changed");
  EXPECT_EQ(
      register_->Correct(kUlb, ctx, "03-000099", Sample(3), "x", std::nullopt).status().code(),
      "property_not_found");
  EXPECT_EQ(register_->Correct(kUlb, ctx, id, Sample(3), "", std::nullopt).status().code(),
            "invalid_field");
  EXPECT_EQ(Entries(), before);

  auto history = register_->History(kUlb, id);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].event, "property.registered");
  EXPECT_EQ((*history)[0].actor, "usr_test");
  EXPECT_EQ((*history)[0].reason, "");
  EXPECT_EQ((*history)[0].details.owners[1].mobile, "");
  EXPECT_EQ((*history)[1].event, "property.corrected");
  EXPECT_EQ((*history)[1].reason, "Second floor found on survey");
  EXPECT_EQ((*history)[1].actor, "usr_revenue");
  EXPECT_EQ((*history)[1].details.floors.size(), 3u);
  EXPECT_EQ((*history)[2].details.ward, 12);
  EXPECT_EQ(register_->History(kUlb, "03-000099").status().code(), "property_not_found");

  // Search follows the correction: the old text is gone from the index, the new one is there.
  EXPECT_EQ(Find("9123456780"), std::vector<std::string>{id});
  PropertyDetails renamed = moved;
  renamed.owners[0] = {"Mahesh Verma", "महेश वर्मा", "9000000001", 6000};
  ASSERT_TRUE(register_->Correct(kUlb, ctx, id, renamed, "Mutation: sale deed 123/2026", 3).ok());
  EXPECT_EQ(Find("9876543210"), std::vector<std::string>{"03-000002"}) << "not " << id;
  EXPECT_EQ(Find("महेश"), std::vector<std::string>{id});
  ExpectReplayMatches();
}

// What a receipt names of a property, read on the writer by the property's row number: the
// owners in order, the correction's names once corrected (the id keeps its ward when the
// property moves), and nothing for a short form of the id or an unknown one.
TEST_F(RegisterTest, NamesForAReceiptFollowTheRecord) {
  const std::string id = MustRegister(Sample(3)).id;
  auto names = [&](const std::string& which) {
    std::optional<PropertySummary> out;
    EXPECT_TRUE((*ledgers_->Ulb(kUlb))
                    ->Read([&](store::Transaction& tx) -> Status {
                      PALIKA_ASSIGN_OR_RETURN(out, LoadPropertyNames(tx, which));
                      return Status::OK();
                    })
                    .ok());
    return out;
  };
  auto first = names(id);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, id);
  EXPECT_EQ(first->version, 1);
  ASSERT_EQ(first->owners.size(), 2u);
  EXPECT_EQ(first->owners[0].name, "Ramesh Sharma");
  EXPECT_EQ(first->owners[0].name_hi, "रमेश शर्मा");
  EXPECT_FALSE(names("3-1").has_value());
  EXPECT_FALSE(names("03-000099").has_value());
  EXPECT_FALSE(names("not an id").has_value());

  PropertyDetails moved = Sample(3);
  moved.ward = 12;
  moved.address = "14 Palasia Square";
  moved.owners[0] = {"Mahesh Verma", "महेश वर्मा", "9000000001", 6000};
  WriteContext ctx{"usr_revenue", "", ""};
  ASSERT_TRUE(register_->Correct(kUlb, ctx, id, moved, "Mutation: sale deed 9/2026", 1).ok());
  auto after = names(id);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->version, 2);
  EXPECT_EQ(after->ward, 12);
  EXPECT_EQ(after->address, "14 Palasia Square");
  ASSERT_EQ(after->owners.size(), 2u);
  EXPECT_EQ(after->owners[0].name, "Mahesh Verma");
  EXPECT_EQ(after->owners[1].name, first->owners[1].name);
}

TEST_F(RegisterTest, RetryWithTheSameKeyReturnsTheSameProperty) {
  PropertyDetails d = Sample();
  auto hash = RequestHash("property.register", DetailsJson(d));
  ASSERT_TRUE(hash.ok());
  WriteContext ctx{"usr_test", "counter-7-0001", *hash};
  auto first = register_->Register(kUlb, ctx, d);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->replayed);
  const uint64_t after_first = Entries();
  auto again = register_->Register(kUlb, ctx, d);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(Entries(), after_first);
  EXPECT_EQ(Find("").size(), 1u);

  // The same key for a different request is refused, not silently answered.
  PropertyDetails other = Sample(1);
  WriteContext reused{"usr_test", "counter-7-0001",
                      *RequestHash("property.register", DetailsJson(other))};
  EXPECT_EQ(register_->Register(kUlb, reused, other).status().code(), "idempotency_key_reused");
  EXPECT_NE(*RequestHash("property.register", DetailsJson(d)),
            *RequestHash("property.correct 03-000001", DetailsJson(d)));
  ExpectReplayMatches();
}

TEST_F(RegisterTest, LegacyIdIsUnique) {
  PropertyDetails d = Sample();
  d.legacy_id = "OLD-42";
  const std::string id = MustRegister(d).id;
  auto dup = register_->Register(kUlb, {"usr_test", "", ""}, d);
  EXPECT_EQ(dup.status().code(), "legacy_id_exists");
  EXPECT_NE(dup.status().message().find(id), std::string::npos);
  EXPECT_EQ(Find("OLD-42"), std::vector<std::string>{id});
  // Correcting the property that holds it is fine.
  d.address = "14, Gandhi Marg, Rajwada";
  EXPECT_TRUE(register_->Correct(kUlb, {"usr_test", "", ""}, id, d, "House number", 1).ok());
}

TEST_F(RegisterTest, SearchByNameInEitherScriptMobileIdAndAddress) {
  const std::string ramesh = MustRegister(Sample(3)).id;  // Ramesh and Sunita Sharma
  PropertyDetails geeta = Sample(1);
  geeta.address = "7, Tilak Path, Sirpur";
  geeta.address_hi = "7, तिलक पथ, सिरपुर";
  geeta.owners = {{"Geeta Verma", "गीता वर्मा", "7000012345", 10000}};
  geeta.legacy_id = "SRP/0007";
  const std::string geeta_id = MustRegister(geeta).id;
  PropertyDetails mohan = Sample(12);
  mohan.owners = {{"Mohan Lal Ramdas", "मोहन लाल रामदास", "8000012345", 10000}};
  const std::string mohan_id = MustRegister(mohan).id;

  using Ids = std::vector<std::string>;
  EXPECT_EQ(Find("sharma"), Ids{ramesh}) << "case-insensitive English";
  EXPECT_EQ(Find("RAMESH SHARMA"), Ids{ramesh});
  EXPECT_EQ(Find("sun"), Ids{ramesh}) << "a prefix of a word";
  EXPECT_EQ(Find("शर्मा"), Ids{ramesh}) << "Hindi";
  EXPECT_EQ(Find("रमेश शर्"), Ids{ramesh}) << "Hindi, the last word a prefix";
  EXPECT_EQ(Find("गीता"), Ids{geeta_id});
  EXPECT_EQ(Find("ram"), (Ids{ramesh, mohan_id})) << "Ramesh, Ramdas (not Rajwada)";
  EXPECT_EQ(Find("9876543210"), Ids{ramesh}) << "mobile";
  EXPECT_EQ(Find("+91 98765 43210"), Ids{ramesh}) << "a mobile as people write it";
  EXPECT_EQ(Find("987654"), Ids{ramesh}) << "the start of a mobile";
  EXPECT_EQ(Find("03-000001"), Ids{ramesh}) << "id";
  EXPECT_EQ(Find("3-1"), Ids{ramesh}) << "short id";
  EXPECT_EQ(Find("12-000001"), Ids{mohan_id}) << "an id finds only that property";
  EXPECT_EQ(Find("03-00000"), (Ids{ramesh})) << "an id that does not exist: its words";
  EXPECT_EQ(Find("tilak path"), Ids{geeta_id}) << "address";
  EXPECT_EQ(Find("तिलक"), Ids{geeta_id}) << "Hindi address";
  EXPECT_EQ(Find("srp/0007"), Ids{geeta_id}) << "legacy id";
  EXPECT_TRUE(Find("nobody").empty());
  EXPECT_TRUE(Find("sharma tilak").empty()) << "every word must match";
  EXPECT_TRUE(Find("\"*()-").empty()) << "punctuation alone finds nothing and breaks nothing";
  EXPECT_TRUE(Find("😀 NEAR(a b) OR").empty()) << "nor do FTS5 operators or symbols";
  EXPECT_EQ(Find("😀 sharma"), Ids{ramesh});

  auto summary = register_->Search(kUlb, {"geeta", "", 20});
  ASSERT_TRUE(summary.ok());
  const auto& s = summary->properties.at(0);
  EXPECT_EQ(s.owners.at(0).name_hi, "गीता वर्मा");
  EXPECT_EQ(s.owners.at(0).mobile, "") << "search results carry no mobile numbers";
  EXPECT_EQ(s.zone, "Zone 1");

  // The citizen portal's search: a number only whole, the mobile masked.
  auto public_search = [&](const std::string& q) {
    SearchQuery query{q, "", 20};
    query.public_view = true;
    auto page = register_->Search(kUlb, query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->properties : std::vector<PropertySummary>{};
  };
  EXPECT_TRUE(public_search("700001").empty()) << "the start of a mobile finds nothing";
  EXPECT_TRUE(public_search("70000123").empty());
  auto whole = public_search("7000012345");
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].id, geeta_id);
  EXPECT_EQ(whole[0].owners.at(0).mobile, "******2345");
  EXPECT_EQ(public_search("+91 70000 12345").size(), 1u);
  EXPECT_EQ(public_search("geeta").size(), 1u) << "names still match as prefixes";

  EXPECT_EQ(register_->Search(kUlb, {"x", "", 0}).status().code(), "invalid_field");
  EXPECT_EQ(register_->Search(kUlb, {"x", "", 101}).status().code(), "invalid_field");
  EXPECT_EQ(register_->Search(kUlb, {"x", "nope", 10}).status().code(), "invalid_field");
  ExpectReplayMatches();
}

TEST_F(RegisterTest, SearchPagesInIdOrder) {
  for (int i = 0; i < 25; ++i) MustRegister(Sample(i % 2 ? 1 : 3));
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  do {
    auto page = register_->Search(kUlb, {"sharma", after, 10});
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& p : page->properties) seen.push_back(p.id);
    after = page->next_after;
    ++pages;
  } while (!after.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "01-000001");
  EXPECT_EQ(seen[12], "03-000001");
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);
  EXPECT_EQ(Find("", 100).size(), 25u) << "no query lists every property";
}

}  // namespace
}  // namespace palika::property_tax
