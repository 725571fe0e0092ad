#include "services/property_tax/register.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/encoding.h"
#include "core/ids.h"
#include "core/json.h"
#include "store/database.h"

namespace palika::property_tax {
namespace json = boost::json;
using ledger::Decision;
using ledger::Entry;
using ledger::Event;
using store::Transaction;

namespace {

constexpr char kRegistered[] = "property.registered";
constexpr char kCorrected[] = "property.corrected";
constexpr int64_t kEventVersion = 1;
constexpr size_t kMaxReasonChars = 500;
constexpr size_t kMaxQueryChars = 100;
constexpr size_t kMaxQueryWords = 8;

// The search index: FTS5 over properties.search_text (external content), so SQLite keeps only
// the inverted index. unicode61 folds case; the categories keep Devanagari vowel signs and
// viramas (marks, M*) inside words instead of splitting them there. Every query word is a prefix
// ("shar"*); FTS5 answers a prefix from a prefix index as one list it can stop reading after a
// page, but gathers every matching word's list first without one, which at a million properties
// takes milliseconds for a common prefix. So prefixes of 1 to 8 characters (most names in either
// script) are indexed: 360 MiB at a million properties, four to five times an index of whole
// words alone, for searches that stay under 2 ms of CPU (bench/property_search_bench.cc).
constexpr char kSearchIndexSql[] =
    "CREATE VIRTUAL TABLE IF NOT EXISTS property_search USING fts5(search_text,"
    " content='properties', content_rowid='num', columnsize=0,"
    " tokenize=\"unicode61 remove_diacritics 2 categories 'L* N* Co M*'\","
    " prefix='1 2 3 4 5 6 7 8')";
constexpr char kSearchIndexReason[] = "search index rebuilt from properties";
// The same index on PostgreSQL: one row per distinct word of properties.search_text, cut into
// words by the same rule as a query (QueryWords) and ASCII-lowercased; a query word matches as a
// prefix through the (word, num) key (LIKE 'w%' on C-collated text is a range scan of that key).
// It finds what FTS5 finds for the register's data (ids, names in both scripts, mobiles,
// addresses); FTS5 also folds the case and accents of non-ASCII Latin letters, which this does
// not.
constexpr char kSearchIndexPostgresSql[] =
    "CREATE TABLE IF NOT EXISTS property_search(word TEXT NOT NULL, num INTEGER NOT NULL,"
    " PRIMARY KEY (word, num));"
    "CREATE INDEX IF NOT EXISTS property_search_by_num ON property_search(num)";

std::vector<std::string> QueryWords(std::string_view q);

// The words the PostgreSQL index holds for a search text, or a query asks for.
std::vector<std::string> IndexWords(std::string_view text) {
  std::vector<std::string> words = QueryWords(text);
  for (auto& w : words) {
    for (auto& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

bool OnPostgres(const Transaction& tx) { return store::EngineOf(tx) == store::Engine::kPostgres; }
// A replay of many entries (restore, verify) builds the index once at the end: row by row, FTS5
// writes its pending terms out as a new segment whenever a rowid is lower than the last one
// (properties are numbered ward first, registered in any order), which made a restore spend most
// of its time merging segments. The stand-in takes the apply functions' inserts (the plain ones
// and the 'delete' command) and keeps nothing; the rebuild reads properties in rowid order with
// a 16 MiB term buffer (the default, 1 MiB, back afterwards, for the server's small writes).
constexpr char kSearchIndexStandIn[] =
    "CREATE TEMP VIEW property_search(property_search, search_text) AS SELECT NULL, NULL WHERE 0;"
    "CREATE TEMP TRIGGER property_search_deferred INSTEAD OF INSERT ON property_search"
    " BEGIN SELECT 1; END";
constexpr char kSearchIndexRebuild[] =
    "INSERT INTO property_search(property_search, rank) VALUES ('hashsize', 16777216);"
    "INSERT INTO property_search(property_search) VALUES ('rebuild');"
    "INSERT INTO property_search(property_search, rank) VALUES ('hashsize', 1048576)";

std::string Str(const json::object& o, std::string_view k) {
  return std::string(o.at(k).as_string());
}

// The record as an event carries it. Lenient on purpose: decide validated it when it was
// written, and old events must replay even if the rules for new records change.
PropertyDetails DetailsFromRecord(const json::object& r) {
  PropertyDetails d;
  d.ward = r.at("ward").as_int64();
  d.zone = Str(r, "zone");
  d.address = Str(r, "address");
  d.address_hi = Str(r, "address_hi");
  d.plot_area_sqft = r.at("plot_area_sqft").as_int64();
  if (auto* l = r.if_contains("legacy_id")) d.legacy_id = std::string(l->as_string());
  for (const auto& v : r.at("owners").as_array()) {
    const auto& o = v.as_object();
    Owner owner{Str(o, "name"), Str(o, "name_hi"), "", o.at("share_bp").as_int64()};
    if (auto* m = o.if_contains("mobile")) owner.mobile = std::string(m->as_string());
    d.owners.push_back(std::move(owner));
  }
  for (const auto& v : r.at("floors").as_array()) {
    const auto& f = v.as_object();
    d.floors.push_back({f.at("floor").as_int64(), f.at("built_up_sqft").as_int64(),
                        Str(f, "construction"), Str(f, "use"), Str(f, "occupancy")});
  }
  return d;
}

store::Value OrNull(const std::string& s) { return s.empty() ? store::Value() : store::Value(s); }

// Writes owners, floors and the search index row of a property whose properties row is current.
Status InsertParts(Transaction& tx, const std::string& id, int64_t num, const PropertyDetails& d,
                   const std::string& search_text) {
  for (size_t i = 0; i < d.owners.size(); ++i) {
    const Owner& o = d.owners[i];
    PALIKA_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO property_owners(property_id, position, name, name_hi, mobile, "
                "share_bp) VALUES (?, ?, ?, ?, ?, ?)",
                {id, static_cast<int64_t>(i), o.name, o.name_hi, OrNull(o.mobile), o.share_bp}));
  }
  for (size_t i = 0; i < d.floors.size(); ++i) {
    const Floor& f = d.floors[i];
    PALIKA_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO property_floors(property_id, position, floor, built_up_sqft, "
                "construction, use_type, occupancy) VALUES (?, ?, ?, ?, ?, ?, ?)",
                {id, static_cast<int64_t>(i), f.floor, f.built_up_sqft, f.construction, f.use,
                 f.occupancy}));
  }
  if (OnPostgres(tx)) {
    for (const auto& w : IndexWords(search_text)) {
      PALIKA_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO property_search(word, num) VALUES (?, ?)", {w, num}));
    }
    return Status::OK();
  }
  return tx.Exec("INSERT INTO property_search(rowid, search_text) VALUES (?, ?)",
                 {num, search_text});
}

Status InsertHistory(Transaction& tx, const Entry& e, const std::string& id, int64_t version,
                     const std::string& reason) {
  return tx.Exec(
      "INSERT INTO property_history(property_id, version, event, origin, seq, time_us, actor, "
      "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {id, version, e.type, e.origin, static_cast<int64_t>(e.seq), e.time_us, e.actor,
       OrNull(reason)});
}

Status CheckVersion(const json::object& o, const Entry& e) {
  if (o.at("v").as_int64() != kEventVersion) {
    return Status::Corruption(
        fmt::format("entry {} ({}) has payload version {}, which this build "
                    "does not know",
                    e.seq, e.type, o.at("v").as_int64()));
  }
  return Status::OK();
}

Status ApplyRegistered(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  const std::string id = Str(o, "id");
  const PropertyDetails d = DetailsFromRecord(o.at("record").as_object());
  const int64_t num = PropertyKey(d.ward, o.at("serial").as_int64());
  const std::string text = SearchText(id, d);
  PALIKA_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO properties(id, num, ward, zone, address, address_hi, plot_area_sqft, "
              "legacy_id, version, registered_us, updated_us, search_text) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
              {id, num, d.ward, d.zone, d.address, d.address_hi, d.plot_area_sqft,
               OrNull(d.legacy_id), e.time_us, e.time_us, text}));
  PALIKA_RETURN_IF_ERROR(InsertParts(tx, id, num, d, text));
  return InsertHistory(tx, e, id, 1, "");
}

Status ApplyCorrected(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  const std::string id = Str(o, "id");
  const int64_t version = o.at("version").as_int64();
  const PropertyDetails d = DetailsFromRecord(o.at("record").as_object());
  PALIKA_ASSIGN_OR_RETURN(
      auto old, tx.QueryOne("SELECT num, search_text FROM properties WHERE id = ?", {id}));
  if (!old) {
    return Status::Corruption(
        fmt::format("entry {} corrects property {}, which was never registered", e.seq, id));
  }
  const int64_t num = old->Int(0);
  // An external-content index forgets a row only when told the text it indexed.
  if (OnPostgres(tx)) {
    PALIKA_RETURN_IF_ERROR(tx.Exec("DELETE FROM property_search WHERE num = ?", {num}));
  } else {
    PALIKA_RETURN_IF_ERROR(tx.Exec(
        "INSERT INTO property_search(property_search, rowid, search_text) VALUES ('delete', ?, "
        "?)",
        {num, old->Text(1)}));
  }
  const std::string text = SearchText(id, d);
  PALIKA_RETURN_IF_ERROR(
      tx.Exec("UPDATE properties SET ward = ?, zone = ?, address = ?, address_hi = ?, "
              "plot_area_sqft = ?, legacy_id = ?, version = ?, updated_us = ?, search_text = ? "
              "WHERE id = ?",
              {d.ward, d.zone, d.address, d.address_hi, d.plot_area_sqft, OrNull(d.legacy_id),
               version, e.time_us, text, id}));
  PALIKA_RETURN_IF_ERROR(tx.Exec("DELETE FROM property_owners WHERE property_id = ?", {id}));
  PALIKA_RETURN_IF_ERROR(tx.Exec("DELETE FROM property_floors WHERE property_id = ?", {id}));
  PALIKA_RETURN_IF_ERROR(InsertParts(tx, id, num, d, text));
  return InsertHistory(tx, e, id, version, Str(o, "reason"));
}

Status PropertyNotFound(const std::string& id) {
  return Status::NotFound("property_not_found",
                          "There is no property " + id +
                              " in this ULB. Search for it by owner, "
                              "mobile or address.",
                          "इस निकाय में संपत्ति " + id + " नहीं है। स्वामी, मोबाइल या पते से खोजें।");
}

Status FieldProblem(std::string_view field, const std::string& en, const std::string& hi) {
  return Status::InvalidArgument("invalid_field", fmt::format("Field '{}': {}", field, en),
                                 fmt::format("फ़ील्ड '{}': {}", field, hi));
}

// The ward must exist; an empty zone becomes the ward's.
Status ResolveWard(Transaction& tx, PropertyDetails& d) {
  PALIKA_ASSIGN_OR_RETURN(auto ward,
                          tx.QueryOne("SELECT zone FROM wards WHERE number = ?", {d.ward}));
  if (!ward) {
    return FieldProblem("ward",
                        fmt::format("ward {} does not exist in this ULB; check the number, or "
                                    "add the ward first.",
                                    d.ward),
                        fmt::format("वार्ड {} इस निकाय में नहीं है; संख्या जाँचें, या पहले वार्ड "
                                    "जोड़ें।",
                                    d.ward));
  }
  if (d.zone.empty()) d.zone = ward->Text(0);
  return Status::OK();
}

Status CheckLegacyIdFree(Transaction& tx, const PropertyDetails& d, const std::string& self) {
  if (d.legacy_id.empty()) return Status::OK();
  PALIKA_ASSIGN_OR_RETURN(
      auto other, tx.QueryOne("SELECT id FROM properties WHERE legacy_id = ?", {d.legacy_id}));
  if (other && other->Text(0) != self) {
    return Status::Conflict(
        "legacy_id_exists",
        fmt::format("Legacy id '{}' already belongs to property {}; a legacy id is imported "
                    "once. Open that property instead.",
                    d.legacy_id, other->Text(0)),
        fmt::format("पुरानी आईडी '{}' पहले से संपत्ति {} की है; पुरानी आईडी एक ही बार दर्ज होती "
                    "है। वही संपत्ति खोलें।",
                    d.legacy_id, other->Text(0)));
  }
  return Status::OK();
}

Result<WriteResult> ToWriteResult(const Result<ledger::CommitResult>& r) {
  if (!r.ok()) return r.status();
  const json::object& o = r->response.as_object();
  WriteResult out;
  out.id = Str(o, "id");
  out.version = o.at("version").as_int64();
  if (auto* c = o.if_contains("changed")) out.changed = c->as_bool();
  out.replayed = r->replayed;
  return out;
}

// Words of a query as the index would see them: ASCII letters and digits, and any non-ASCII
// character except the Devanagari danda, belong to words; everything else separates them.
std::vector<std::string> QueryWords(std::string_view q) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  for (size_t i = 0; i < q.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(q[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) {
        cur.push_back(static_cast<char>(c));
      } else {
        flush();
      }
      continue;
    }
    // U+0964 / U+0965 (danda, double danda): E0 A5 A4 / E0 A5 A5.
    if (c == 0xE0 && i + 2 < q.size() && static_cast<unsigned char>(q[i + 1]) == 0xA5 &&
        (static_cast<unsigned char>(q[i + 2]) == 0xA4 ||
         static_cast<unsigned char>(q[i + 2]) == 0xA5)) {
      flush();
      i += 2;
      continue;
    }
    cur.push_back(static_cast<char>(c));
  }
  flush();
  return words;
}

// An FTS5 query: every word as a quoted prefix ("ram"* "शर्मा"*), implicitly ANDed; with
// whole_numbers, a word of digits only is matched whole ("9876543210").
std::string FtsQuery(const std::vector<std::string>& words, bool whole_numbers) {
  std::string out;
  for (const auto& w : words) {
    const bool whole = whole_numbers &&
                       std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : w) {
      if (c == '"') out += '"';
      out += c;
    }
    out += whole ? "\"" : "\"*";
  }
  return out;
}

// public_view: the owners' mobiles masked; otherwise none.
Result<PropertySummary> LoadSummary(Transaction& tx, int64_t num, bool public_view) {
  PALIKA_ASSIGN_OR_RETURN(
      auto r, tx.QueryOne("SELECT id, version, ward, zone, address, address_hi FROM properties "
                          "WHERE num = ?",
                          {num}));
  if (!r) return Status::Internal(fmt::format("search index names missing property {}", num));
  PropertySummary s{r->Text(0), r->Int(1), r->Int(2), r->Text(3), r->Text(4), r->Text(5), {}};
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT name, name_hi, mobile FROM property_owners WHERE property_id = ? ORDER BY position",
      {s.id}, [&](const store::Row& o) {
        s.owners.push_back(
            {o.Text(0), o.Text(1), public_view && !o.IsNull(2) ? MaskedMobile(o.Text(2)) : "", 0});
        return true;
      }));
  return s;
}

// One property.registered event for each record, in order, each with the next serial of its
// ward. Serials come from the table (ids are never reused because properties are never deleted)
// and from the earlier records of this decision, which are not applied yet.
Result<std::vector<Event>> RegistrationEvents(Transaction& tx, std::vector<PropertyDetails> batch,
                                              std::vector<std::string>* ids) {
  std::map<int64_t, int64_t> last_serial;  // ward -> last serial given out
  std::set<std::string> legacy_ids;
  std::vector<Event> events;
  for (PropertyDetails& details : batch) {
    PALIKA_RETURN_IF_ERROR(ResolveWard(tx, details));
    PALIKA_RETURN_IF_ERROR(CheckLegacyIdFree(tx, details, ""));
    if (!details.legacy_id.empty() && !legacy_ids.insert(details.legacy_id).second) {
      return Status::Conflict("legacy_id_exists",
                              "Legacy id '" + details.legacy_id + "' is given twice.",
                              "पुरानी आईडी '" + details.legacy_id + "' दो बार दी गई है।");
    }
    const int64_t base = PropertyKey(details.ward, 0);
    auto last = last_serial.find(details.ward);
    if (last == last_serial.end()) {
      PALIKA_ASSIGN_OR_RETURN(
          auto max, tx.QueryOne("SELECT MAX(num) FROM properties WHERE num > ? AND num <= ?",
                                {base, base + kMaxSerial}));
      last =
          last_serial.emplace(details.ward, max && !max->IsNull(0) ? max->Int(0) - base : 0).first;
    }
    const int64_t serial = ++last->second;
    if (serial > kMaxSerial) {
      return Status::Conflict(
          "ward_full",
          fmt::format("Ward {} has used all {} property numbers.", details.ward, kMaxSerial),
          fmt::format("वार्ड {} के सभी {} संपत्ति क्रमांक उपयोग हो चुके हैं।", details.ward, kMaxSerial));
    }
    const std::string id = FormatPropertyId(details.ward, serial);
    ids->push_back(id);
    events.push_back(
        {kRegistered,
         {{"v", kEventVersion}, {"id", id}, {"serial", serial}, {"record", DetailsJson(details)}}});
  }
  return events;
}

}  // namespace

void RegisterPropertyProjections(ledger::Projections& p) {
  p.AddTable("properties",
             "CREATE TABLE IF NOT EXISTS properties(id TEXT NOT NULL UNIQUE,"
             " num INTEGER PRIMARY KEY, ward INTEGER NOT NULL, zone TEXT NOT NULL,"
             " address TEXT NOT NULL, address_hi TEXT NOT NULL, plot_area_sqft INTEGER NOT NULL,"
             " legacy_id TEXT, version INTEGER NOT NULL, registered_us INTEGER NOT NULL,"
             " updated_us INTEGER NOT NULL, search_text TEXT NOT NULL);"
             "CREATE INDEX IF NOT EXISTS properties_by_ward ON properties(ward);"
             "CREATE UNIQUE INDEX IF NOT EXISTS properties_by_legacy_id ON properties(legacy_id)"
             " WHERE legacy_id IS NOT NULL",
             "id");
  p.AddTable("property_owners",
             "CREATE TABLE IF NOT EXISTS property_owners(property_id TEXT NOT NULL,"
             " position INTEGER NOT NULL, name TEXT NOT NULL, name_hi TEXT NOT NULL, mobile TEXT,"
             " share_bp INTEGER NOT NULL, PRIMARY KEY (property_id, position));"
             "CREATE INDEX IF NOT EXISTS property_owners_by_mobile ON property_owners(mobile)"
             " WHERE mobile IS NOT NULL",
             "property_id, position");
  // Kept in key order alone (WITHOUT ROWID): the yearly demand reads every property's floors in
  // a range of ids, which in a rowid table costs a lookup of the table for each floor found in
  // the key's index (properties are registered in any order). Older files are converted by
  // schema migration 2 (ledger/migrations.cc).
  p.AddTable("property_floors",
             "CREATE TABLE IF NOT EXISTS property_floors(property_id TEXT NOT NULL,"
             " position INTEGER NOT NULL, floor INTEGER NOT NULL, built_up_sqft INTEGER NOT NULL,"
             " construction TEXT NOT NULL, use_type TEXT NOT NULL, occupancy TEXT NOT NULL,"
             " PRIMARY KEY (property_id, position)) WITHOUT ROWID",
             "property_id, position");
  p.AddTable("property_history",
             "CREATE TABLE IF NOT EXISTS property_history(property_id TEXT NOT NULL,"
             " version INTEGER NOT NULL, event TEXT NOT NULL, origin TEXT NOT NULL,"
             " seq INTEGER NOT NULL, time_us INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT,"
             " PRIMARY KEY (property_id, version))",
             "property_id, version");
  // The index and the shadow tables FTS5 keeps it in (external content, columnsize=0: no
  // _content or _docsize). Apply maintains it; verify checks properties.search_text instead.
  p.AddUnrecordedTable("property_search", kSearchIndexSql, kSearchIndexReason,
                       kSearchIndexPostgresSql);
  for (const char* shadow :
       {"property_search_data", "property_search_idx", "property_search_config"}) {
    p.AddUnrecordedTable(shadow, "", kSearchIndexReason);
  }
  p.AddBulkIndex("property_search", kSearchIndexStandIn, kSearchIndexRebuild);
  p.OnEvent(kRegistered, ApplyRegistered);
  p.OnEvent(kCorrected, ApplyCorrected);
}

Result<std::string> RequestHash(std::string_view operation, const json::value& body) {
  PALIKA_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(body));
  return HexEncode(Sha256(std::string(operation) + "\n" + canonical));
}

Result<std::string> CanonicalPropertyId(std::string_view text) {
  auto n = ParsePropertyId(text);
  if (!n) {
    const std::string shown(text.substr(0, 40));
    return Status::InvalidArgument(
        "invalid_property_id",
        "'" + shown +
            "' is not a property id; a property id is the ward and a serial number, "
            "e.g. 03-000123.",
        "'" + shown + "' संपत्ति आईडी नहीं है; संपत्ति आईडी वार्ड और क्रमांक होती है, जैसे 03-000123।");
  }
  return FormatPropertyId(n->ward, n->serial);
}

json::object SummaryJson(const PropertySummary& s) {
  json::array owners;
  for (const auto& o : s.owners) {
    owners.push_back(json::object{{"name", o.name}, {"name_hi", o.name_hi}});
  }
  return {{"id", s.id},
          {"version", s.version},
          {"ward", s.ward},
          {"zone", s.zone},
          {"address", s.address},
          {"address_hi", s.address_hi},
          {"owners", std::move(owners)}};
}

Result<std::optional<Property>> LoadProperty(Transaction& tx, const std::string& id) {
  PALIKA_ASSIGN_OR_RETURN(
      auto r, tx.QueryOne("SELECT id, ward, zone, address, address_hi, plot_area_sqft, legacy_id, "
                          "version, registered_us, updated_us FROM properties WHERE id = ?",
                          {id}));
  if (!r) return std::optional<Property>();
  Property p;
  p.id = r->Text(0);
  p.details.ward = r->Int(1);
  p.details.zone = r->Text(2);
  p.details.address = r->Text(3);
  p.details.address_hi = r->Text(4);
  p.details.plot_area_sqft = r->Int(5);
  p.details.legacy_id = r->Text(6);
  p.version = r->Int(7);
  p.registered_us = r->Int(8);
  p.updated_us = r->Int(9);
  PALIKA_RETURN_IF_ERROR(
      tx.ForEach("SELECT name, name_hi, mobile, share_bp FROM property_owners "
                 "WHERE property_id = ? ORDER BY position",
                 {id}, [&](const store::Row& o) {
                   p.details.owners.push_back({o.Text(0), o.Text(1), o.Text(2), o.Int(3)});
                   return true;
                 }));
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT floor, built_up_sqft, construction, use_type, occupancy "
      "FROM property_floors WHERE property_id = ? ORDER BY position",
      {id}, [&](const store::Row& f) {
        p.details.floors.push_back({f.Int(0), f.Int(1), f.Text(2), f.Text(3), f.Text(4)});
        return true;
      }));
  return std::optional<Property>(std::move(p));
}

Result<std::optional<PropertySummary>> LoadPropertyNames(Transaction& tx, const std::string& id) {
  std::optional<PropertySummary> out;
  auto add = [&](const store::Row& r) {
    if (!out) {
      out = PropertySummary{r.Text(0), r.Int(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), {}};
    }
    if (!r.IsNull(6)) out->owners.push_back({r.Text(6), r.Text(7), "", 0});
    return true;
  };
  // Found by its row id (num), which the id's ward and serial give: one b-tree search instead
  // of the id's index and then the table. `p.id = ?` keeps it exact: a short form ("3-123")
  // finds nothing here, as it finds nothing by id.
  if (auto n = ParsePropertyId(id)) {
    PALIKA_RETURN_IF_ERROR(tx.ForEach(
        "SELECT p.id, p.version, p.ward, p.zone, p.address, p.address_hi, o.name, o.name_hi "
        "FROM properties p LEFT JOIN property_owners o ON o.property_id = p.id "
        "WHERE p.num = ? AND p.id = ? ORDER BY o.position",
        {PropertyKey(n->ward, n->serial), id}, add));
    return out;
  }
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT p.id, p.version, p.ward, p.zone, p.address, p.address_hi, o.name, o.name_hi "
      "FROM properties p LEFT JOIN property_owners o ON o.property_id = p.id "
      "WHERE p.id = ? ORDER BY o.position",
      {id}, add));
  return out;
}

Result<SearchPage> SearchProperties(Transaction& tx, const SearchQuery& query) {
  if (query.limit < 1 || query.limit > 100) {
    return FieldProblem("limit", "must be between 1 and 100.", "1 और 100 के बीच होना चाहिए।");
  }
  std::string_view q = query.q;
  while (!q.empty() && q.front() == ' ') q.remove_prefix(1);
  while (!q.empty() && q.back() == ' ') q.remove_suffix(1);
  if (Utf8Length(q) > kMaxQueryChars) {
    return FieldProblem("q", fmt::format("is longer than {} characters.", kMaxQueryChars),
                        fmt::format("{} वर्णों से लंबा है।", kMaxQueryChars));
  }
  int64_t after = 0;
  if (!query.after.empty()) {
    auto n = ParsePropertyId(query.after);
    if (!n) {
      return FieldProblem("after", "must be a property id from the previous page's next_after.",
                          "पिछले पृष्ठ के next_after से मिली संपत्ति आईडी होनी चाहिए।");
    }
    after = PropertyKey(n->ward, n->serial);
  }
  const int64_t want = query.limit + 1;  // one more, to know whether another page follows
  std::vector<int64_t> keys;
  auto collect = [&](const store::Row& r) {
    keys.push_back(r.Int(0));
    return true;
  };
  if (q.empty()) {
    PALIKA_RETURN_IF_ERROR(tx.ForEach(
        "SELECT num FROM properties WHERE num > ? ORDER BY num LIMIT ?", {after, want}, collect));
  } else {
    // An id typed in full or short ("3-123") finds that property and nothing else; one that
    // does not exist is searched for as words (the start of an id, a house number).
    bool exact = false;
    if (auto n = ParsePropertyId(q)) {
      const int64_t key = PropertyKey(n->ward, n->serial);
      PALIKA_ASSIGN_OR_RETURN(auto hit,
                              tx.QueryOne("SELECT num FROM properties WHERE num = ?", {key}));
      exact = hit.has_value();
      if (exact && key > after) keys.push_back(key);
    }
    // A mobile number typed with its country code or spaces is one word in the index.
    const auto mobile = NormaliseMobile(q);
    std::vector<std::string> words = mobile ? std::vector<std::string>{*mobile} : QueryWords(q);
    if (words.size() > kMaxQueryWords) {
      return FieldProblem("q", fmt::format("has more than {} words.", kMaxQueryWords),
                          fmt::format("में {} से अधिक शब्द हैं।", kMaxQueryWords));
    }
    if (!exact && !words.empty() && OnPostgres(tx)) {
      // Every word as a prefix, ANDed: one range of the (word, num) key per word, intersected.
      std::string sql;
      std::vector<store::Value> params;
      std::string joined;
      for (const auto& w : words) joined += w + " ";
      for (const auto& w : IndexWords(joined)) {
        if (!sql.empty()) sql += " INTERSECT ";
        // As FtsQuery: with public_view, a word of digits only matches whole (a mobile).
        const bool whole = query.public_view && std::all_of(w.begin(), w.end(), [](char c) {
                             return c >= '0' && c <= '9';
                           });
        sql += whole ? "SELECT DISTINCT num FROM property_search WHERE word = ? AND num > ?"
                     : "SELECT DISTINCT num FROM property_search WHERE word LIKE ? AND num > ?";
        params.emplace_back(whole ? w : w + "%");
        params.emplace_back(after);
      }
      params.emplace_back(want);
      PALIKA_RETURN_IF_ERROR(tx.ForEach(sql + " ORDER BY num LIMIT ?", params, collect));
    } else if (!exact && !words.empty()) {
      PALIKA_RETURN_IF_ERROR(tx.ForEach(
          "SELECT rowid FROM property_search WHERE property_search MATCH ? AND rowid > ? "
          "ORDER BY rowid LIMIT ?",
          {FtsQuery(words, query.public_view), after, want}, collect));
    }
  }
  SearchPage page;
  const size_t shown = std::min(keys.size(), static_cast<size_t>(query.limit));
  for (size_t i = 0; i < shown; ++i) {
    PALIKA_ASSIGN_OR_RETURN(auto s, LoadSummary(tx, keys[i], query.public_view));
    page.properties.push_back(std::move(s));
  }
  if (keys.size() > shown) page.next_after = page.properties.back().id;
  return page;
}

// ---------------------------------------------------------------------------------------------
// Commands

Result<WriteResult> PropertyRegister::Register(const std::string& ulb, const WriteContext& ctx,
                                               const PropertyDetails& details) {
  PALIKA_RETURN_IF_ERROR(ValidatePropertyDetails(details));
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  ledger::Command c;
  c.actor = ctx.actor;
  c.idempotency_key = ctx.idempotency_key;
  c.request_hash = ctx.request_hash;
  c.decide = [input = details](Transaction& tx, int64_t) -> Result<Decision> {
    std::vector<std::string> ids;
    PALIKA_ASSIGN_OR_RETURN(auto events, RegistrationEvents(tx, {input}, &ids));
    return Decision{std::move(events), json::object{{"id", ids.front()}, {"version", 1}}};
  };
  return ToWriteResult(l->Submit(std::move(c)));
}

Result<std::vector<std::string>> PropertyRegister::RegisterBatch(
    const std::string& ulb, const std::string& actor, const std::vector<PropertyDetails>& batch) {
  for (const auto& d : batch) PALIKA_RETURN_IF_ERROR(ValidatePropertyDetails(d));
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  ledger::Command c;
  c.actor = actor;
  std::vector<std::string> ids;
  c.decide = [&batch, &ids](Transaction& tx, int64_t) -> Result<Decision> {
    ids.clear();
    PALIKA_ASSIGN_OR_RETURN(auto events, RegistrationEvents(tx, batch, &ids));
    return Decision{std::move(events), nullptr};
  };
  PALIKA_RETURN_IF_ERROR(l->Submit(std::move(c)).status());
  return ids;
}

Result<WriteResult> PropertyRegister::Correct(const std::string& ulb, const WriteContext& ctx,
                                              const std::string& id, const PropertyDetails& details,
                                              const std::string& reason,
                                              std::optional<int64_t> expected_version) {
  PALIKA_RETURN_IF_ERROR(ValidatePropertyDetails(details));
  if (reason.empty() || Utf8Length(reason) > kMaxReasonChars || !IsValidUtf8(reason)) {
    return FieldProblem(
        "reason",
        fmt::format("say why the record is corrected (1 to {} characters).", kMaxReasonChars),
        fmt::format("रिकॉर्ड सुधारने का कारण लिखें (1 से {} वर्ण)।", kMaxReasonChars));
  }
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  ledger::Command c;
  c.actor = ctx.actor;
  c.idempotency_key = ctx.idempotency_key;
  c.request_hash = ctx.request_hash;
  c.decide = [id, input = details, reason, expected_version](Transaction& tx,
                                                             int64_t) -> Result<Decision> {
    PropertyDetails details = input;
    PALIKA_ASSIGN_OR_RETURN(auto current, LoadProperty(tx, id));
    if (!current) return PropertyNotFound(id);
    if (expected_version && *expected_version != current->version) {
      return Status::Conflict(
          "property_changed",
          fmt::format("Property {} was changed since you read it (it is now version {}, you "
                      "corrected version {}). Open it again and redo the correction.",
                      id, current->version, *expected_version),
          fmt::format("संपत्ति {} आपके पढ़ने के बाद बदल चुकी है (अब संस्करण {}, आपने संस्करण {} "
                      "सुधारा)। उसे फिर खोलें और सुधार दोबारा करें।",
                      id, current->version, *expected_version));
    }
    PALIKA_RETURN_IF_ERROR(ResolveWard(tx, details));
    PALIKA_RETURN_IF_ERROR(CheckLegacyIdFree(tx, details, id));
    if (details == current->details) {
      // Nothing to correct: no entry, and the answer says so.
      return Decision{{},
                      json::object{{"id", id}, {"version", current->version}, {"changed", false}}};
    }
    const int64_t version = current->version + 1;
    Decision d;
    d.events.push_back({kCorrected,
                        {{"v", kEventVersion},
                         {"id", id},
                         {"version", version},
                         {"reason", reason},
                         {"record", DetailsJson(details)}}});
    d.response = json::object{{"id", id}, {"version", version}, {"changed", true}};
    return d;
  };
  return ToWriteResult(l->Submit(std::move(c)));
}

// ---------------------------------------------------------------------------------------------
// Reads

Result<Property> PropertyRegister::Get(const std::string& ulb, const std::string& id) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::optional<Property> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(out, LoadProperty(tx, id));
    return Status::OK();
  }));
  if (!out) return PropertyNotFound(id);
  return std::move(*out);
}

Result<std::vector<HistoryItem>> PropertyRegister::History(const std::string& ulb,
                                                           const std::string& id) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::vector<HistoryItem> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    // Each version's record is read from the ledger entry that made it: the ledger is the history.
    PALIKA_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT h.version, h.event, h.time_us, h.actor, h.reason, e.payload "
                            "FROM property_history h JOIN ledger_entries e "
                            "ON e.origin = h.origin AND e.seq = h.seq "
                            "WHERE h.property_id = ? ORDER BY h.version",
                            {id}));
    for (const auto& r : rows) {
      HistoryItem item{r.Int(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), {}};
      try {
        item.details =
            DetailsFromRecord(json::parse(r.Text(5)).as_object().at("record").as_object());
      } catch (const std::exception& e) {
        return Status::Corruption(
            fmt::format("property {} version {}: its ledger entry is malformed ({})", id,
                        item.version, e.what()));
      }
      out.push_back(std::move(item));
    }
    return Status::OK();
  }));
  if (out.empty()) return PropertyNotFound(id);
  return out;
}

Result<SearchPage> PropertyRegister::Search(const std::string& ulb, const SearchQuery& query) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::optional<SearchPage> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(out, SearchProperties(tx, query));
    return Status::OK();
  }));
  return std::move(*out);
}

}  // namespace palika::property_tax
