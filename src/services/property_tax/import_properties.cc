// The CSV format (one row per property; the header row names the columns, in any order):
//
//   legacy_id        required; the record's id in the earlier system, unique in the file and ULB
//   ward             required; the ward number (the ward must exist in the ULB)
//   zone             optional; the ward's zone when empty
//   address          required; in English
//   address_hi       required; in Hindi (Devanagari)
//   plot_area_sqft   whole square feet ("1200" or "1,200"; "1200.00" is read as 1200)
//   owner<N>_name, owner<N>_name_hi, owner<N>_mobile, owner<N>_share_bp     N = 1..20
//       name in English and in Hindi (required for each owner given), a 10-digit mobile (+91 or
//       a leading 0 is dropped; may be empty), the share in basis points (10000 = 100%; leave
//       every owner's empty for equal shares). owner1_name and owner1_name_hi are required columns.
//   floor<N>_floor, floor<N>_built_up_sqft, floor<N>_construction, floor<N>_use,
//   floor<N>_occupancy                                                       N = 1..50
//       floor number (0 ground, 1 first, -1 basement), built-up area in whole square feet,
//       construction rcc | rbc | tin_shed | kachcha, use residential | commercial_shop |
//       commercial_office | commercial_godown | industrial | institutional | mixed, occupancy
//       self | rented. Codes are read case-insensitively, with spaces or '-' for '_' ("Tin Shed").
// A group (owner<N>_* or floor<N>_*) whose cells are all empty is skipped. Blank lines and lines
// starting with '#' are ignored.

#include "services/property_tax/import_properties.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <variant>

#include "services/property_tax/import_csv.h"

namespace palika::property_tax {
namespace json = boost::json;
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxOwnerGroups = 20;
constexpr int kMaxFloorGroups = 50;

enum class Group { kTop, kOwner, kFloor };

struct Column {
  Group group = Group::kTop;
  int number = 0;   // N of owner<N>_ / floor<N>_
  std::string key;  // the JSON field
  bool integer = false;
  bool coded = false;  // construction, use, occupancy
};

Status FileError(std::string en, std::string hi) {
  return Status::InvalidArgument("bad_import_file", std::move(en), std::move(hi));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "owner2_name_hi" -> (2, "name_hi"); nullopt if the name does not have the form.
std::optional<std::pair<int, std::string>> Numbered(std::string_view name, std::string_view prefix,
                                                    int max) {
  if (!name.starts_with(prefix)) return std::nullopt;
  name.remove_prefix(prefix.size());
  size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits == 0 || digits > 2 || digits >= name.size() || name[digits] != '_' || name[0] == '0') {
    return std::nullopt;
  }
  const int n = std::stoi(std::string(name.substr(0, digits)));
  if (n < 1 || n > max) return std::nullopt;
  return std::pair{n, std::string(name.substr(digits + 1))};
}

Result<std::vector<Column>> ReadHeader(const CsvRecord& header) {
  static const std::map<std::string, Column> kTop = {
      {"legacy_id", {Group::kTop, 0, "legacy_id", false, false}},
      {"ward", {Group::kTop, 0, "ward", true, false}},
      {"zone", {Group::kTop, 0, "zone", false, false}},
      {"address", {Group::kTop, 0, "address", false, false}},
      {"address_hi", {Group::kTop, 0, "address_hi", false, false}},
      {"plot_area_sqft", {Group::kTop, 0, "plot_area_sqft", true, false}},
  };
  static const std::map<std::string, std::pair<bool, bool>> kOwner = {{"name", {false, false}},
                                                                      {"name_hi", {false, false}},
                                                                      {"mobile", {false, false}},
                                                                      {"share_bp", {true, false}}};
  static const std::map<std::string, std::pair<bool, bool>> kFloor = {
      {"floor", {true, false}},
      {"built_up_sqft", {true, false}},
      {"construction", {false, true}},
      {"use", {false, true}},
      {"occupancy", {false, true}}};
  std::vector<Column> columns;
  std::set<std::string> names;
  for (const auto& raw : header.fields) {
    const std::string name = Lower(Trim(raw));
    if (!names.insert(name).second) {
      return FileError(fmt::format("The header names column '{}' twice.", name),
                       fmt::format("शीर्ष पंक्ति में कॉलम '{}' दो बार है।", name));
    }
    if (auto it = kTop.find(name); it != kTop.end()) {
      columns.push_back(it->second);
      continue;
    }
    auto owner = Numbered(name, "owner", kMaxOwnerGroups);
    auto floor = Numbered(name, "floor", kMaxFloorGroups);
    if (owner && kOwner.contains(owner->second)) {
      const auto [integer, coded] = kOwner.at(owner->second);
      columns.push_back({Group::kOwner, owner->first, owner->second, integer, coded});
    } else if (floor && kFloor.contains(floor->second)) {
      const auto [integer, coded] = kFloor.at(floor->second);
      columns.push_back({Group::kFloor, floor->first, floor->second, integer, coded});
    } else {
      return FileError(
          fmt::format("Unknown column '{}' in the header (line {}). The columns are listed in "
                      "docs/import-properties.md.",
                      name, header.line),
          fmt::format("शीर्ष पंक्ति (पंक्ति {}) में अज्ञात कॉलम '{}'। कॉलमों की सूची "
                      "docs/import-properties.md में है।",
                      header.line, name));
    }
  }
  for (const char* required :
       {"legacy_id", "ward", "address", "address_hi", "owner1_name", "owner1_name_hi"}) {
    if (!names.contains(required)) {
      return FileError(fmt::format("The header has no '{}' column; it is required.", required),
                       fmt::format("शीर्ष पंक्ति में '{}' कॉलम नहीं है; यह आवश्यक है।", required));
    }
  }
  return columns;
}

std::string ColumnName(const Column& c) {
  switch (c.group) {
    case Group::kOwner:
      return fmt::format("owner{}_{}", c.number, c.key);
    case Group::kFloor:
      return fmt::format("floor{}_{}", c.number, c.key);
    case Group::kTop:
      break;
  }
  return c.key;
}

// "1200", "1,200", "-1", "1200.00": whole numbers; nullopt for anything else.
std::optional<int64_t> ParseWhole(std::string_view s) {
  std::string digits;
  bool negative = false;
  size_t i = 0;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    i = 1;
  }
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == ',' && !digits.empty()) {
      continue;
    } else if (c == '.') {
      if (s.find_first_not_of('0', i + 1) != std::string_view::npos) return std::nullopt;
      break;
    } else {
      return std::nullopt;
    }
  }
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  const int64_t v = std::stoll(digits);
  return negative ? -v : v;
}

// "Tin Shed" -> "tin_shed", "R.C.C." -> "rcc", and a few words legacy systems use.
std::string NormaliseCode(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '.') continue;
    out.push_back(c == ' ' || c == '-'
                      ? '_'
                      : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  static const std::map<std::string, std::string> kAliases = {{"kaccha", "kachcha"},
                                                              {"kacha", "kachcha"},
                                                              {"tinshed", "tin_shed"},
                                                              {"shop", "commercial_shop"},
                                                              {"office", "commercial_office"},
                                                              {"godown", "commercial_godown"},
                                                              {"warehouse", "commercial_godown"},
                                                              {"self_occupied", "self"},
                                                              {"owner", "self"},
                                                              {"tenant", "rented"},
                                                              {"tenanted", "rented"},
                                                              {"let_out", "rented"}};
  if (auto it = kAliases.find(out); it != kAliases.end()) return it->second;
  return out;
}

// "Field 'owner1_mobile': must be ..." -> ("owner1_mobile", "must be ...", Hindi likewise).
std::tuple<std::string, std::string, std::string> SplitFieldError(const Status& s) {
  static constexpr std::string_view kEn = "Field '";
  static constexpr std::string_view kHi = "फ़ील्ड '";
  std::string en = s.message();
  std::string hi = s.message_hi();
  if (!en.starts_with(kEn)) return {"", en, hi};
  const size_t close = en.find("': ", kEn.size());
  if (close == std::string::npos) return {"", en, hi};
  std::string field = en.substr(kEn.size(), close - kEn.size());
  en.erase(0, close + 3);
  const std::string hi_prefix = std::string(kHi) + field + "': ";
  if (hi.starts_with(hi_prefix)) hi.erase(0, hi_prefix.size());
  return {field, en, hi};
}

struct Row {
  size_t line = 0;
  std::string legacy_id;
  PropertyDetails details;
  std::string request_hash;
};

// One CSV record as a property, or the problem with it.
std::variant<Row, ImportProblem> ReadRow(const CsvRecord& rec, const std::vector<Column>& columns,
                                         const std::set<int64_t>& wards) {
  ImportProblem problem{rec.line, "", "", "", ""};
  auto fail = [&](std::string field, std::string en, std::string hi) {
    problem.field = std::move(field);
    problem.message = std::move(en);
    problem.message_hi = std::move(hi);
    return problem;
  };
  if (rec.fields.size() != columns.size()) {
    return fail("",
                fmt::format("has {} fields but the header has {} columns (a missing or extra "
                            "comma, or an unquoted comma in a value?).",
                            rec.fields.size(), columns.size()),
                fmt::format("में {} फ़ील्ड हैं पर शीर्ष पंक्ति में {} कॉलम (कोई अल्पविराम छूटा या "
                            "अधिक है, या किसी मान में बिना उद्धरण चिह्न का अल्पविराम?)।",
                            rec.fields.size(), columns.size()));
  }
  json::object top;
  std::map<int, json::object> owners;
  std::map<int, json::object> floors;
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& c = columns[i];
    const std::string_view value = Trim(rec.fields[i]);
    if (value.empty()) continue;
    json::object& target = c.group == Group::kOwner   ? owners[c.number]
                           : c.group == Group::kFloor ? floors[c.number]
                                                      : top;
    if (c.integer) {
      auto n = ParseWhole(value);
      if (!n) {
        return fail(ColumnName(c), "must be a whole number.", "एक पूर्ण संख्या होनी चाहिए।");
      }
      target[c.key] = *n;
    } else if (c.coded) {
      target[c.key] = NormaliseCode(value);
    } else {
      target[c.key] = value;
    }
  }
  if (auto* id = top.if_contains("legacy_id")) problem.legacy_id = std::string(id->as_string());
  if (problem.legacy_id.empty()) {
    return fail("legacy_id", "is required: it is how a re-run knows the row was imported before.",
                "आवश्यक है: इसी से दोबारा चलाने पर पता चलता है कि पंक्ति पहले आयात हो चुकी है।");
  }
  // The array index of each group, to name its columns in errors.
  std::vector<int> owner_numbers;
  std::vector<int> floor_numbers;
  json::array owner_array;
  json::array floor_array;
  for (auto& [n, o] : owners) {
    owner_numbers.push_back(n);
    owner_array.push_back(std::move(o));
  }
  for (auto& [n, f] : floors) {
    floor_numbers.push_back(n);
    floor_array.push_back(std::move(f));
  }
  top["owners"] = std::move(owner_array);
  top["floors"] = std::move(floor_array);
  auto namer = [&](std::string_view path) -> std::string {
    for (auto [prefix, numbers, column] :
         {std::tuple{std::string_view("owners["), &owner_numbers, "owner"},
          std::tuple{std::string_view("floors["), &floor_numbers, "floor"}}) {
      if (!path.starts_with(prefix)) continue;
      const size_t close = path.find(']');
      const size_t index = std::stoul(std::string(path.substr(prefix.size(), close)));
      std::string rest(close + 2 <= path.size() ? path.substr(close + 2) : "");
      const int n = index < numbers->size() ? (*numbers)[index] : static_cast<int>(index) + 1;
      return rest.empty() ? fmt::format("{}{}", column, n)
                          : fmt::format("{}{}_{}", column, n, rest);
    }
    return std::string(path);
  };
  auto details = ParsePropertyDetails(top, namer);
  if (!details.ok()) {
    auto [field, en, hi] = SplitFieldError(details.status());
    return fail(field, en, hi);
  }
  if (!wards.empty() && !wards.contains(details->ward)) {
    return fail("ward",
                fmt::format("ward {} does not exist in this ULB; add it first or fix the number.",
                            details->ward),
                fmt::format("वार्ड {} इस निकाय में नहीं है; पहले उसे जोड़ें या संख्या ठीक करें।", details->ward));
  }
  Row row{rec.line, problem.legacy_id, std::move(*details), ""};
  auto hash = RequestHash("property.import", DetailsJson(row.details));
  if (!hash.ok()) return fail("", hash.status().message(), hash.status().message_hi());
  row.request_hash = *hash;
  return row;
}

// A problem reported by the register for a row that was submitted.
ImportProblem SubmitProblem(const Row& row, const Status& s) {
  std::string field;
  std::string en = s.message();
  std::string hi = s.message_hi();
  if (s.code() == "idempotency_key_reused") {
    field = "legacy_id";
    en = "this legacy_id was imported before with different data. Correct that property "
         "(search for the legacy id) instead of importing the row again.";
    hi = "यह legacy_id पहले अलग जानकारी के साथ आयात हो चुकी है। पंक्ति दोबारा आयात करने के बजाय "
         "उस संपत्ति (पुरानी आईडी से खोजें) में सुधार करें।";
  } else if (s.code() == "legacy_id_exists") {
    field = "legacy_id";
  } else if (s.code() == "invalid_field") {
    std::tie(field, en, hi) = SplitFieldError(s);
  }
  return {row.line, row.legacy_id, field, en, hi};
}

bool StopsTheImport(const Status& s) {
  return s.kind() == StatusKind::kUnavailable || s.kind() == StatusKind::kIOError ||
         s.kind() == StatusKind::kCorruption || s.kind() == StatusKind::kInternal;
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<ImportReport> ImportProperties(PropertyRegister& reg, std::string_view csv,
                                      const ImportOptions& options) {
  const auto started = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  ImportReport report;

  // Count the data rows first, for the progress figures (and find a malformed file early).
  CsvReader counter(csv);
  CsvRecord rec;
  size_t records = 0;
  for (;;) {
    PALIKA_ASSIGN_OR_RETURN(bool more, counter.Next(&rec));
    if (!more) break;
    ++records;
  }
  if (records == 0) {
    return FileError("The file is empty: it needs a header row and at least one property.",
                     "फ़ाइल खाली है: इसमें शीर्ष पंक्ति और कम से कम एक संपत्ति होनी चाहिए।");
  }
  const size_t total = records - 1;

  CsvReader reader(csv);
  PALIKA_ASSIGN_OR_RETURN(bool has_header, reader.Next(&rec));
  (void)has_header;
  PALIKA_ASSIGN_OR_RETURN(std::vector<Column> columns, ReadHeader(rec));

  std::unordered_map<std::string, size_t> seen;  // legacy_id -> first line
  std::vector<ImportedRow> imported_by_line;
  size_t done = 0;
  bool stop = false;
  while (!stop) {
    // Read and check one chunk of rows.
    std::vector<Row> rows;
    bool end = false;
    while (rows.size() < options.chunk_rows) {
      PALIKA_ASSIGN_OR_RETURN(bool more, reader.Next(&rec));
      if (!more) {
        end = true;
        break;
      }
      ++report.rows;
      auto row = ReadRow(rec, columns, options.wards);
      if (auto* p = std::get_if<ImportProblem>(&row)) {
        report.problems.push_back(std::move(*p));
        ++done;
        continue;
      }
      Row& r = std::get<Row>(row);
      auto [it, fresh] = seen.emplace(r.legacy_id, r.line);
      if (!fresh) {
        report.problems.push_back(
            {r.line, r.legacy_id, "legacy_id",
             fmt::format("appears again; line {} has the same legacy_id.", it->second),
             fmt::format("दोबारा आई है; पंक्ति {} में भी यही legacy_id है।", it->second)});
        ++done;
        continue;
      }
      rows.push_back(std::move(r));
    }

    // Submit the chunk from many threads, so that group commit batches the rows.
    std::vector<std::optional<Result<WriteResult>>> results(rows.size());
    std::atomic<size_t> next{0};
    std::atomic<size_t> finished{0};
    std::atomic<bool> failing{false};
    auto work = [&] {
      while (!failing) {
        const size_t i = next.fetch_add(1);
        if (i >= rows.size()) break;
        const Row& row = rows[i];
        WriteContext ctx{options.actor, "import:" + row.legacy_id, row.request_hash};
        results[i] = reg.Register(options.ulb, ctx, row.details);
        if (!results[i]->ok() && StopsTheImport(results[i]->status())) failing = true;
        ++finished;
      }
    };
    const size_t threads =
        std::min(rows.size(), static_cast<size_t>(std::max(1, options.concurrency)));
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(work);
    if (options.progress) {
      while (finished < rows.size() && !failing) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        options.progress({done + finished, total, elapsed()});
      }
    }
    for (auto& t : pool) t.join();
    done += rows.size();

    for (size_t i = 0; i < rows.size(); ++i) {
      if (!results[i]) continue;  // not submitted: the import stopped
      const auto& r = *results[i];
      if (r.ok()) {
        (r->replayed ? report.already : report.imported) += 1;
        report.rows_imported.push_back({rows[i].line, rows[i].legacy_id, r->id, r->replayed});
      } else {
        report.problems.push_back(SubmitProblem(rows[i], r.status()));
        if (StopsTheImport(r.status())) stop = true;
      }
    }
    if (options.progress) options.progress({done, total, elapsed()});
    if (end) break;
  }
  report.stopped = stop;
  std::sort(report.problems.begin(), report.problems.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  report.seconds = elapsed();
  return report;
}

std::string ImportReportCsv(const ImportReport& report) {
  struct Line {
    size_t line;
    std::string text;
  };
  std::vector<Line> lines;
  for (const auto& r : report.rows_imported) {
    lines.push_back({r.line, fmt::format("{},{},{},{},,,", r.line, CsvField(r.legacy_id),
                                         r.already ? "already_imported" : "imported", r.id)});
  }
  for (const auto& p : report.problems) {
    lines.push_back(
        {p.line, fmt::format("{},{},refused,,{},{},{}", p.line, CsvField(p.legacy_id),
                             CsvField(p.field), CsvField(p.message), CsvField(p.message_hi))});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.line < b.line; });
  std::string out = "line,legacy_id,result,property_id,field,problem,problem_hi\n";
  for (const auto& l : lines) out += l.text + "\n";
  return out;
}

}  // namespace palika::property_tax
