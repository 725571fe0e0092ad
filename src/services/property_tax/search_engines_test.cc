// Property search gives the same answers on both engines: FTS5 on SQLite, the word table on
// PostgreSQL (register.cc). The same registrations and a correction are applied through the one
// apply path into a SQLite and a PostgreSQL database, then the same queries (names in both
// scripts, prefixes, mobiles, ids, addresses, several words, paging) must return the same pages.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/json.h"
#include "ledger/ledger.h"
#include "pg_test_clusters.h"
#include "services/property_tax/property_samples.h"
#include "services/property_tax/property_testing.h"
#include "store/database.h"

namespace palika::property_tax {
namespace {

namespace json = boost::json;

struct Engine {
  std::unique_ptr<store::Database> db;
  uint64_t seq = 0;

  void Apply(const std::string& type, const json::object& payload) {
    ledger::Entry e{test::kUlb,
                    "node-search",
                    ++seq,
                    1'700'000'000'000'000 + int64_t(seq),
                    "usr_test",
                    type,
                    CanonicalJson(payload).value()};
    Status s = ledger::ApplyEntry(test::UlbTables(), *db, e);
    ASSERT_TRUE(s.ok()) << store::EngineName(db->engine()) << ": " << s.ToString();
  }
  std::vector<std::string> Search(const std::string& q, const std::string& after = "",
                                  int64_t limit = 100, std::string* next = nullptr,
                                  bool public_view = false) {
    SearchQuery query{q, after, limit};
    query.public_view = public_view;
    auto page = SearchProperties(*db, query);
    EXPECT_TRUE(page.ok()) << store::EngineName(db->engine()) << " '" << q
                           << "': " << page.status().ToString();
    std::vector<std::string> ids;
    if (!page.ok()) return ids;
    for (const auto& p : page->properties) ids.push_back(p.id);
    if (next) *next = page->next_after;
    return ids;
  }
};

TEST(PropertySearchEngines, SameAnswersOnSqliteAndPostgres) {
  const std::string url = pgtest::Url();
  ASSERT_FALSE(url.empty());
  Engine engines[2];
  auto lite = store::OpenScratch(store::Location(""));
  auto pg = store::OpenScratch(store::Location::Postgres(url, ""));
  ASSERT_TRUE(lite.ok()) << lite.status().ToString();
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  engines[0].db = std::move(*lite);
  engines[1].db = std::move(*pg);
  for (auto& e : engines) {
    ASSERT_TRUE(test::UlbTables().CreateSchema(*e.db).ok());
    ASSERT_TRUE(e.db->BeginWrite().ok());
  }

  PropertySamples samples(7, {{1, "Sarafa", "सराफा"}, {3, "Rajwada", "राजवाड़ा"}});
  std::map<int64_t, int64_t> serials;
  std::vector<PropertyDetails> registered;
  for (int i = 0; i < 200; ++i) {
    PropertyDetails d = i == 0 ? test::Sample(3) : samples.Next();
    const int64_t serial = ++serials[d.ward];
    json::object payload{{"v", 1},
                         {"id", FormatPropertyId(d.ward, serial)},
                         {"serial", serial},
                         {"record", DetailsJson(d)}};
    for (auto& e : engines) e.Apply("property.registered", payload);
    registered.push_back(d);
  }
  // A correction replaces the old words: the old owner is no longer found, the new one is.
  PropertyDetails corrected = test::Sample(3);
  corrected.owners = {{"Zubin Quraishi", "ज़ुबिन क़ुरैशी", "9123456780", 10000}};
  for (auto& e : engines) {
    e.Apply("property.corrected", json::object{{"v", 1},
                                               {"id", FormatPropertyId(3, 1)},
                                               {"version", 2},
                                               {"reason", "sale deed 2026/114"},
                                               {"record", DetailsJson(corrected)}});
  }

  std::set<std::string> queries = {"sharma",    "SHAR",       "zubin",       "ज़ुबिन",
                                   "क़ुरैशी",      "Ramesh",     "9123456780",  "+91 91234 56780",
                                   "03-000001", "3-1",        "1-5",         "gandhi marg",
                                   "राजवाड़ा",   "rajwada 12", "nobody-here", "ज़ुबिन zubin"};
  // Owners' first names and surnames in both scripts, whole and as prefixes.
  for (size_t i = 1; i < registered.size(); i += 17) {
    const auto& o = registered[i].owners.front();
    queries.insert(o.name);
    queries.insert(o.name_hi);
    queries.insert(o.name.substr(0, 3));
    if (!o.mobile.empty()) queries.insert(o.mobile);
  }
  size_t with_hits = 0;
  for (const auto& q : queries) {
    const auto want = engines[0].Search(q);
    EXPECT_EQ(engines[1].Search(q), want) << "query '" << q << "'";
    if (!want.empty()) ++with_hits;
  }
  EXPECT_GE(with_hits, queries.size() - 2) << "the queries should mostly find something";
  EXPECT_EQ(engines[1].Search("zubin"), std::vector<std::string>{"03-000001"});
  // The public portal's search finds a mobile only when it is typed in full, on both engines.
  for (const char* q : {"9123456780", "91234", "zubin 9123456780"}) {
    const auto want = engines[0].Search(q, "", 100, nullptr, true);
    EXPECT_EQ(engines[1].Search(q, "", 100, nullptr, true), want) << "public query '" << q << "'";
  }
  EXPECT_EQ(engines[1].Search("9123456780", "", 100, nullptr, true),
            std::vector<std::string>{"03-000001"});
  EXPECT_TRUE(engines[1].Search("91234", "", 100, nullptr, true).empty());

  // Paging walks the same pages.
  for (const char* q : {"", "a"}) {
    std::string after[2];
    for (int page = 0; page < 4; ++page) {
      std::string next[2];
      auto a = engines[0].Search(q, after[0], 7, &next[0]);
      auto b = engines[1].Search(q, after[1], 7, &next[1]);
      EXPECT_EQ(a, b) << "query '" << q << "' page " << page;
      EXPECT_EQ(next[0], next[1]);
      after[0] = next[0];
      after[1] = next[1];
    }
  }
  for (auto& e : engines) EXPECT_TRUE(e.db->Rollback().ok());
}

}  // namespace
}  // namespace palika::property_tax
