#include "services/property_tax/property.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/civil_date.h"
#include "core/ids.h"
#include "core/json.h"

namespace palika::property_tax {
namespace json = boost::json;
namespace {

constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxAddressChars = 300;
constexpr size_t kMaxZoneChars = 50;
constexpr size_t kMaxLegacyIdChars = 64;
constexpr size_t kMaxOwners = 20;
constexpr size_t kMaxFloors = 50;
constexpr int64_t kMaxArea = 100'000'000;  // square feet (about 9.3 km²)

struct Coded {
  std::string_view code;
  std::string_view hi;
};
constexpr Coded kConstructions[] = {
    {"rcc", "आर.सी.सी."}, {"rbc", "आर.बी.सी."}, {"tin_shed", "टीन शेड"}, {"kachcha", "कच्चा"}};
constexpr Coded kUses[] = {
    {"residential", "आवासीय"},
    {"commercial_shop", "व्यावसायिक – दुकान"},
    {"commercial_office", "व्यावसायिक – कार्यालय"},
    {"commercial_godown", "व्यावसायिक – गोदाम"},
    {"industrial", "औद्योगिक"},
    {"institutional", "संस्थागत"},
    {"mixed", "मिश्रित"},
};
constexpr Coded kOccupancies[] = {{"self", "स्वयं"}, {"rented", "किराये पर"}};

template <size_t N>
std::vector<std::string_view> Codes(const Coded (&list)[N]) {
  std::vector<std::string_view> out;
  for (const auto& c : list) out.push_back(c.code);
  return out;
}

template <size_t N>
std::string_view LabelHi(const Coded (&list)[N], std::string_view code) {
  for (const auto& c : list) {
    if (c.code == code) return c.hi;
  }
  return {};
}

std::string Joined(const std::vector<std::string_view>& v) {
  std::string out;
  for (auto s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

Status FieldError(const FieldNamer& namer, std::string_view path, std::string_view en,
                  std::string_view hi) {
  const std::string name = namer(path);
  return Status::InvalidArgument("invalid_field", fmt::format("Field '{}': {}", name, en),
                                 fmt::format("फ़ील्ड '{}': {}", name, hi));
}

// U+0900..U+097F is E0 A4 80 .. E0 A5 BF in UTF-8.
bool HasDevanagari(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xE0 &&
        (static_cast<unsigned char>(s[i + 1]) == 0xA4 ||
         static_cast<unsigned char>(s[i + 1]) == 0xA5)) {
      return true;
    }
  }
  return false;
}

bool HasLatinLetter(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// Trimmed, valid UTF-8 without control characters, 1..max code points.
Status CheckText(const FieldNamer& namer, std::string_view path, std::string_view s,
                 size_t max_chars) {
  if (s.empty()) return FieldError(namer, path, "is required.", "आवश्यक है।");
  if (!IsValidUtf8(s)) {
    return FieldError(namer, path, "is not valid UTF-8 text.", "मान्य UTF-8 टेक्स्ट नहीं है।");
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      return FieldError(namer, path, "must not contain control characters.",
                        "में नियंत्रण वर्ण नहीं होने चाहिए।");
    }
  }
  if (s.front() == ' ' || s.back() == ' ') {
    return FieldError(namer, path, "must not start or end with a space.",
                      "के आरंभ या अंत में रिक्त स्थान नहीं होना चाहिए।");
  }
  if (Utf8Length(s) > max_chars) {
    return FieldError(namer, path, fmt::format("is longer than {} characters.", max_chars),
                      fmt::format("{} वर्णों से लंबा है।", max_chars));
  }
  return Status::OK();
}

Status CheckEnglish(const FieldNamer& namer, std::string_view path, std::string_view s,
                    size_t max_chars) {
  PALIKA_RETURN_IF_ERROR(CheckText(namer, path, s, max_chars));
  if (HasDevanagari(s) || !HasLatinLetter(s)) {
    return FieldError(namer, path,
                      "must be written in English (Latin letters); put the Hindi form in the "
                      "field ending in _hi.",
                      "अंग्रेज़ी (लैटिन अक्षरों) में लिखा होना चाहिए; हिंदी रूप _hi वाले फ़ील्ड में "
                      "लिखें।");
  }
  return Status::OK();
}

Status CheckHindi(const FieldNamer& namer, std::string_view path, std::string_view s,
                  size_t max_chars) {
  PALIKA_RETURN_IF_ERROR(CheckText(namer, path, s, max_chars));
  if (!HasDevanagari(s)) {
    return FieldError(namer, path, "must be written in Hindi (Devanagari script).",
                      "हिंदी (देवनागरी लिपि) में लिखा होना चाहिए।");
  }
  return Status::OK();
}

template <size_t N>
Status CheckCode(const FieldNamer& namer, std::string_view path, std::string_view v,
                 const Coded (&list)[N]) {
  for (const auto& c : list) {
    if (c.code == v) return Status::OK();
  }
  const std::string allowed = Joined(Codes(list));
  return FieldError(namer, path, fmt::format("must be one of: {}.", allowed),
                    fmt::format("इनमें से एक होना चाहिए: {}।", allowed));
}

Status CheckRange(const FieldNamer& namer, std::string_view path, int64_t v, int64_t min,
                  int64_t max) {
  if (v < min || v > max) {
    return FieldError(namer, path, fmt::format("must be between {} and {}.", min, max),
                      fmt::format("{} और {} के बीच होना चाहिए।", min, max));
  }
  return Status::OK();
}

// Field access on a JSON object with full paths in errors; remembers what was read so that
// unknown fields can be refused.
class Fields {
 public:
  Fields(const json::object& obj, std::string path, const FieldNamer& namer)
      : obj_(obj), path_(std::move(path)), namer_(namer) {}

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  Result<std::optional<std::string>> OptionalString(std::string_view key) {
    seen_.emplace(key);
    const json::value* v = obj_.if_contains(key);
    if (!v || v->is_null()) return std::optional<std::string>();
    if (!v->is_string()) {
      return FieldError(namer_, Path(key), "must be text.", "एक टेक्स्ट (स्ट्रिंग) होना चाहिए।");
    }
    std::string_view s = v->get_string();
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::string(s));
  }
  Result<std::string> String(std::string_view key) {
    PALIKA_ASSIGN_OR_RETURN(auto s, OptionalString(key));
    if (!s) return FieldError(namer_, Path(key), "is required.", "आवश्यक है।");
    return *s;
  }
  Result<std::optional<int64_t>> OptionalInt(std::string_view key) {
    seen_.emplace(key);
    const json::value* v = obj_.if_contains(key);
    if (!v || v->is_null()) return std::optional<int64_t>();
    if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
    if (v->is_uint64()) return FieldError(namer_, Path(key), "is too large.", "बहुत बड़ा है।");
    return FieldError(namer_, Path(key), "must be a whole number.", "एक पूर्णांक संख्या होनी चाहिए।");
  }
  Result<int64_t> Int(std::string_view key) {
    PALIKA_ASSIGN_OR_RETURN(auto n, OptionalInt(key));
    if (!n) return FieldError(namer_, Path(key), "is required.", "आवश्यक है।");
    return *n;
  }
  Result<const json::array*> Array(std::string_view key) {
    seen_.emplace(key);
    const json::value* v = obj_.if_contains(key);
    if (!v || v->is_null()) {
      static const json::array kEmpty;
      return &kEmpty;
    }
    if (!v->is_array()) {
      return FieldError(namer_, Path(key), "must be a list.", "एक सूची (array) होनी चाहिए।");
    }
    return &v->get_array();
  }
  Status Finish() const {
    for (const auto& kv : obj_) {
      if (!seen_.contains(std::string_view(kv.key()))) {
        const std::string name = namer_(Path(kv.key()));
        return Status::InvalidArgument(
            "unknown_field",
            fmt::format("Unknown field '{}'. Remove it or check its spelling.", name),
            fmt::format("अज्ञात फ़ील्ड '{}'। इसे हटाएँ या वर्तनी जाँचें।", name));
      }
    }
    return Status::OK();
  }

 private:
  const json::object& obj_;
  std::string path_;
  const FieldNamer& namer_;
  std::set<std::string, std::less<>> seen_;
};

Result<const json::object*> ElementObject(const json::array& a, size_t i, const std::string& path,
                                          const FieldNamer& namer) {
  if (!a[i].is_object()) {
    return FieldError(namer, path, "must be an object with named fields.",
                      "नामित फ़ील्ड वाला एक ऑब्जेक्ट होना चाहिए।");
  }
  return &a[i].get_object();
}

}  // namespace

const std::vector<std::string_view>& ConstructionTypes() {
  static const auto v = Codes(kConstructions);
  return v;
}
const std::vector<std::string_view>& UseTypes() {
  static const auto v = Codes(kUses);
  return v;
}
const std::vector<std::string_view>& OccupancyTypes() {
  static const auto v = Codes(kOccupancies);
  return v;
}
std::string_view ConstructionLabelHi(std::string_view c) { return LabelHi(kConstructions, c); }
std::string_view UseLabelHi(std::string_view u) { return LabelHi(kUses, u); }
std::string_view OccupancyLabelHi(std::string_view o) { return LabelHi(kOccupancies, o); }

std::string FormatPropertyId(int64_t ward, int64_t serial) {
  return fmt::format("{:02}-{:06}", ward, serial);
}

std::optional<PropertyNumber> ParsePropertyId(std::string_view text) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 3) return std::nullopt;
  const std::string_view ward = text.substr(0, dash);
  const std::string_view serial = text.substr(dash + 1);
  if (serial.empty() || serial.size() > 6) return std::nullopt;
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(ward) || !digits(serial)) return std::nullopt;
  PropertyNumber n{std::stoll(std::string(ward)), std::stoll(std::string(serial))};
  if (n.ward < 1 || n.serial < 1) return std::nullopt;
  return n;
}

std::string JsonFieldName(std::string_view json_path) { return std::string(json_path); }

std::optional<std::string> NormaliseMobile(std::string_view text) {
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && i == 0) {
      continue;
    } else if (c != ' ' && c != '-') {
      return std::nullopt;
    }
  }
  if (digits.size() == 12 && digits.starts_with("91")) digits.erase(0, 2);
  if (digits.size() == 11 && digits.front() == '0') digits.erase(0, 1);
  if (digits.size() != 10 || digits.front() < '6') return std::nullopt;
  return digits;
}

std::string MaskedMobile(std::string_view mobile) {
  if (mobile.empty()) return "";
  if (mobile.size() < 4) return "******";
  return "******" + std::string(mobile.substr(mobile.size() - 4));
}

Status ValidatePropertyDetails(const PropertyDetails& d, const FieldNamer& namer) {
  PALIKA_RETURN_IF_ERROR(CheckRange(namer, "ward", d.ward, 1, 999));
  if (!d.zone.empty()) PALIKA_RETURN_IF_ERROR(CheckText(namer, "zone", d.zone, kMaxZoneChars));
  PALIKA_RETURN_IF_ERROR(CheckEnglish(namer, "address", d.address, kMaxAddressChars));
  PALIKA_RETURN_IF_ERROR(CheckHindi(namer, "address_hi", d.address_hi, kMaxAddressChars));
  PALIKA_RETURN_IF_ERROR(CheckRange(namer, "plot_area_sqft", d.plot_area_sqft, 0, kMaxArea));
  if (d.floors.empty() && d.plot_area_sqft == 0) {
    return FieldError(namer, "plot_area_sqft",
                      "must be more than 0 for a vacant plot (a property with no floors).",
                      "खाली भूखंड (बिना मंज़िल वाली संपत्ति) के लिए 0 से अधिक होना चाहिए।");
  }
  if (!d.legacy_id.empty()) {
    PALIKA_RETURN_IF_ERROR(CheckText(namer, "legacy_id", d.legacy_id, kMaxLegacyIdChars));
    for (unsigned char c : d.legacy_id) {
      if (c > 0x7e) {
        return FieldError(namer, "legacy_id",
                          "may contain only ASCII letters, digits, spaces and punctuation.",
                          "में केवल ASCII अक्षर, अंक, रिक्त स्थान और विराम चिह्न हो सकते हैं।");
      }
    }
  }
  if (d.owners.empty()) {
    return FieldError(namer, "owners", "needs at least one owner.",
                      "में कम से कम एक स्वामी होना चाहिए।");
  }
  if (d.owners.size() > kMaxOwners) {
    return FieldError(namer, "owners", fmt::format("may list at most {} owners.", kMaxOwners),
                      fmt::format("में अधिकतम {} स्वामी हो सकते हैं।", kMaxOwners));
  }
  int64_t shares = 0;
  for (size_t i = 0; i < d.owners.size(); ++i) {
    const Owner& o = d.owners[i];
    const std::string p = fmt::format("owners[{}].", i);
    PALIKA_RETURN_IF_ERROR(CheckEnglish(namer, p + "name", o.name, kMaxNameChars));
    PALIKA_RETURN_IF_ERROR(CheckHindi(namer, p + "name_hi", o.name_hi, kMaxNameChars));
    if (!o.mobile.empty() && NormaliseMobile(o.mobile) != o.mobile) {
      return FieldError(namer, p + "mobile",
                        "must be a 10-digit mobile number starting with 6, 7, 8 or 9.",
                        "6, 7, 8 या 9 से शुरू होने वाला 10 अंकों का मोबाइल नंबर होना चाहिए।");
    }
    PALIKA_RETURN_IF_ERROR(CheckRange(namer, p + "share_bp", o.share_bp, 1, 10000));
    shares += o.share_bp;
  }
  if (shares != 10000) {
    return FieldError(
        namer, "owners",
        fmt::format("the owners' shares (share_bp, in basis points) add up to {}, not 10000 "
                    "(100%).",
                    shares),
        fmt::format("स्वामियों के हिस्सों (share_bp, आधार अंकों में) का योग {} है, 10000 (100%) "
                    "नहीं।",
                    shares));
  }
  if (d.floors.size() > kMaxFloors) {
    return FieldError(namer, "floors", fmt::format("may list at most {} floors.", kMaxFloors),
                      fmt::format("में अधिकतम {} मंज़िलें हो सकती हैं।", kMaxFloors));
  }
  for (size_t i = 0; i < d.floors.size(); ++i) {
    const Floor& f = d.floors[i];
    const std::string p = fmt::format("floors[{}].", i);
    PALIKA_RETURN_IF_ERROR(CheckRange(namer, p + "floor", f.floor, -5, 200));
    PALIKA_RETURN_IF_ERROR(CheckRange(namer, p + "built_up_sqft", f.built_up_sqft, 1, kMaxArea));
    PALIKA_RETURN_IF_ERROR(CheckCode(namer, p + "construction", f.construction, kConstructions));
    PALIKA_RETURN_IF_ERROR(CheckCode(namer, p + "use", f.use, kUses));
    PALIKA_RETURN_IF_ERROR(CheckCode(namer, p + "occupancy", f.occupancy, kOccupancies));
  }
  return Status::OK();
}

Result<PropertyDetails> ParsePropertyDetails(const json::object& obj, const FieldNamer& namer) {
  PropertyDetails d;
  Fields r(obj, "", namer);
  PALIKA_ASSIGN_OR_RETURN(d.ward, r.Int("ward"));
  PALIKA_ASSIGN_OR_RETURN(auto zone, r.OptionalString("zone"));
  d.zone = zone.value_or("");
  PALIKA_ASSIGN_OR_RETURN(d.address, r.String("address"));
  PALIKA_ASSIGN_OR_RETURN(d.address_hi, r.String("address_hi"));
  PALIKA_ASSIGN_OR_RETURN(auto plot, r.OptionalInt("plot_area_sqft"));
  d.plot_area_sqft = plot.value_or(0);
  PALIKA_ASSIGN_OR_RETURN(auto legacy, r.OptionalString("legacy_id"));
  d.legacy_id = legacy.value_or("");

  PALIKA_ASSIGN_OR_RETURN(const json::array* owners, r.Array("owners"));
  if (owners->size() > kMaxOwners) {
    return FieldError(namer, "owners", fmt::format("may list at most {} owners.", kMaxOwners),
                      fmt::format("में अधिकतम {} स्वामी हो सकते हैं।", kMaxOwners));
  }
  size_t without_share = 0;
  for (size_t i = 0; i < owners->size(); ++i) {
    const std::string path = fmt::format("owners[{}]", i);
    PALIKA_ASSIGN_OR_RETURN(const json::object* o, ElementObject(*owners, i, path, namer));
    Fields f(*o, path, namer);
    Owner owner;
    PALIKA_ASSIGN_OR_RETURN(owner.name, f.String("name"));
    PALIKA_ASSIGN_OR_RETURN(owner.name_hi, f.String("name_hi"));
    PALIKA_ASSIGN_OR_RETURN(auto mobile, f.OptionalString("mobile"));
    if (mobile) {
      auto m = NormaliseMobile(*mobile);
      if (!m) {
        return FieldError(namer, f.Path("mobile"),
                          "must be a 10-digit mobile number starting with 6, 7, 8 or 9.",
                          "6, 7, 8 या 9 से शुरू होने वाला 10 अंकों का मोबाइल नंबर होना चाहिए।");
      }
      owner.mobile = *m;
    }
    PALIKA_ASSIGN_OR_RETURN(auto share, f.OptionalInt("share_bp"));
    if (share) {
      owner.share_bp = *share;
    } else {
      ++without_share;
    }
    PALIKA_RETURN_IF_ERROR(f.Finish());
    d.owners.push_back(std::move(owner));
  }
  if (without_share > 0 && without_share < d.owners.size()) {
    return FieldError(namer, "owners",
                      "give share_bp for every owner, or for none (then the shares are equal).",
                      "हर स्वामी का share_bp दें, या किसी का नहीं (तब हिस्से बराबर माने जाएँगे)।");
  }
  if (without_share > 0) {
    // Equal shares; the basis points that do not divide go to the first owners, one each.
    const int64_t n = static_cast<int64_t>(d.owners.size());
    for (int64_t i = 0; i < n; ++i) d.owners[i].share_bp = 10000 / n + (i < 10000 % n ? 1 : 0);
  }

  PALIKA_ASSIGN_OR_RETURN(const json::array* floors, r.Array("floors"));
  if (floors->size() > kMaxFloors) {
    return FieldError(namer, "floors", fmt::format("may list at most {} floors.", kMaxFloors),
                      fmt::format("में अधिकतम {} मंज़िलें हो सकती हैं।", kMaxFloors));
  }
  for (size_t i = 0; i < floors->size(); ++i) {
    const std::string path = fmt::format("floors[{}]", i);
    PALIKA_ASSIGN_OR_RETURN(const json::object* o, ElementObject(*floors, i, path, namer));
    Fields f(*o, path, namer);
    Floor floor;
    PALIKA_ASSIGN_OR_RETURN(floor.floor, f.Int("floor"));
    PALIKA_ASSIGN_OR_RETURN(floor.built_up_sqft, f.Int("built_up_sqft"));
    PALIKA_ASSIGN_OR_RETURN(floor.construction, f.String("construction"));
    PALIKA_ASSIGN_OR_RETURN(floor.use, f.String("use"));
    PALIKA_ASSIGN_OR_RETURN(floor.occupancy, f.String("occupancy"));
    PALIKA_RETURN_IF_ERROR(f.Finish());
    d.floors.push_back(std::move(floor));
  }
  PALIKA_RETURN_IF_ERROR(r.Finish());
  PALIKA_RETURN_IF_ERROR(ValidatePropertyDetails(d, namer));
  return d;
}

json::object DetailsJson(const PropertyDetails& d) {
  json::array owners;
  for (const auto& o : d.owners) {
    json::object j{{"name", o.name}, {"name_hi", o.name_hi}, {"share_bp", o.share_bp}};
    if (!o.mobile.empty()) j["mobile"] = o.mobile;
    owners.push_back(std::move(j));
  }
  json::array floors;
  for (const auto& f : d.floors) {
    floors.push_back(json::object{{"floor", f.floor},
                                  {"built_up_sqft", f.built_up_sqft},
                                  {"construction", f.construction},
                                  {"use", f.use},
                                  {"occupancy", f.occupancy}});
  }
  json::object out{{"ward", d.ward},
                   {"zone", d.zone},
                   {"address", d.address},
                   {"address_hi", d.address_hi},
                   {"plot_area_sqft", d.plot_area_sqft},
                   {"owners", std::move(owners)},
                   {"floors", std::move(floors)}};
  if (!d.legacy_id.empty()) out["legacy_id"] = d.legacy_id;
  return out;
}

json::object PropertyJson(const Property& p) {
  json::object out = DetailsJson(p.details);
  out["id"] = p.id;
  out["version"] = p.version;
  out["registered_at"] = FormatUtcMicros(p.registered_us);
  out["updated_at"] = FormatUtcMicros(p.updated_us);
  return out;
}

std::string SearchText(const std::string& id, const PropertyDetails& d) {
  std::string out = id;
  for (const auto& o : d.owners) {
    out += ' ' + o.name + ' ' + o.name_hi;
    if (!o.mobile.empty()) out += ' ' + o.mobile;
  }
  out += ' ' + d.address + ' ' + d.address_hi;
  if (!d.legacy_id.empty()) out += ' ' + d.legacy_id;
  return out;
}

}  // namespace palika::property_tax
