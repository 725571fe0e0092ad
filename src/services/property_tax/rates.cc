#include "services/property_tax/rates.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/check.h"
#include "core/json.h"
#include "services/property_tax/rates_json.h"

namespace palika::property_tax {
namespace json = boost::json;
using detail::FieldError;
using detail::FieldReader;

namespace {

__extension__ typedef __int128 Int128;  // products of paise and basis points; GCC and Clang

// numerator / denominator, halves away from zero; denominator > 0.
Int128 DivideHalfAway(Int128 numerator, Int128 denominator) {
  const Int128 quotient = numerator / denominator;
  const Int128 remainder = numerator % denominator;
  const Int128 twice = (remainder < 0 ? -remainder : remainder) * 2;
  if (twice >= denominator) return numerator < 0 ? quotient - 1 : quotient + 1;
  return quotient;
}

template <size_t N>
std::string CodeList(const std::array<std::string_view, N>& codes) {
  std::string out;
  for (std::string_view c : codes) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

template <size_t N>
Status NotOneOf(std::string_view path, const std::array<std::string_view, N>& codes) {
  const std::string list = CodeList(codes);
  return FieldError(path, fmt::format("must be one of: {}.", list),
                    fmt::format("इनमें से एक होना चाहिए: {}।", list));
}

Status HeadsError(std::string_view path) {
  std::array<std::string_view, kAllHeads.size()> codes{};
  for (size_t i = 0; i < kAllHeads.size(); ++i) codes[i] = HeadCode(kAllHeads[i]);
  const std::string list = CodeList(codes);
  return FieldError(path, fmt::format("must list distinct heads from: {}.", list),
                    fmt::format("में ये शीर्ष (बिना दोहराए) हो सकते हैं: {}।", list));
}

Status ValidateHeads(const std::vector<Head>& heads, std::string_view path) {
  std::set<Head> seen;
  for (Head h : heads) {
    if (!seen.insert(h).second) return HeadsError(path);
  }
  return Status::OK();
}

Status RangeError(std::string_view path, int64_t min, int64_t max) {
  return FieldError(path, fmt::format("must be between {} and {}.", min, max),
                    fmt::format("{} और {} के बीच होना चाहिए।", min, max));
}

Status CheckRange(int64_t v, std::string_view path, int64_t min, int64_t max) {
  if (v < min || v > max) return RangeError(path, min, max);
  return Status::OK();
}

Status OutsideYear(std::string_view path, FinancialYear fy) {
  return FieldError(path,
                    fmt::format("must be a date within the financial year {} ({} to {}).",
                                fy.Format(), fy.Start().Format(), fy.End().Format()),
                    fmt::format("वित्तीय वर्ष {} ({} से {}) के भीतर की तारीख होनी चाहिए।", fy.Format(),
                                fy.Start().Format(), fy.End().Format()));
}

bool ZoneIsClean(std::string_view zone) {
  if (zone.empty() || zone.front() == ' ' || zone.back() == ' ') return false;
  if (Utf8Length(zone) > kMaxRateZoneChars) return false;
  for (unsigned char c : zone) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Status ZoneError(std::string_view path) {
  return FieldError(
      path,
      fmt::format("must be 1 to {} characters of text without leading or trailing spaces.",
                  kMaxRateZoneChars),
      fmt::format("1 से {} वर्णों का टेक्स्ट होना चाहिए, आगे-पीछे खाली स्थान के बिना।", kMaxRateZoneChars));
}

std::string_view RoundingCode(Rounding r) {
  return r == Rounding::kRupeeHalfUp ? "rupee_half_up" : "paisa";
}

std::string_view BasisCode(CessBasis b) {
  return b == CessBasis::kAnnualValue ? "annual_value" : "property_tax";
}

json::array HeadsToJson(const std::vector<Head>& heads) {
  json::array out;
  for (Head h : heads) out.emplace_back(HeadCode(h));
  return out;
}

Result<std::vector<Head>> HeadsFromJson(FieldReader& r, std::string_view key) {
  PALIKA_ASSIGN_OR_RETURN(const json::array* arr, r.Array(key, kAllHeads.size()));
  std::vector<Head> heads;
  for (size_t i = 0; i < arr->size(); ++i) {
    PALIKA_ASSIGN_OR_RETURN(std::string code, detail::ElementString(*arr, i, r.Path(key), 40));
    auto head = HeadFromCode(code);
    if (!head) return HeadsError(r.Path(key));
    heads.push_back(*head);
  }
  PALIKA_RETURN_IF_ERROR(ValidateHeads(heads, r.Path(key)));
  return heads;
}

Result<Cess> CessFromJson(FieldReader& parent, std::string_view key) {
  PALIKA_ASSIGN_OR_RETURN(const json::object* obj, parent.Object(key));
  FieldReader r(*obj, parent.Path(key));
  Cess cess;
  PALIKA_ASSIGN_OR_RETURN(cess.bp, r.Int("bp", 0, 10000));
  PALIKA_ASSIGN_OR_RETURN(std::string basis, r.String("basis", 40));
  if (basis == "annual_value") {
    cess.basis = CessBasis::kAnnualValue;
  } else if (basis == "property_tax") {
    cess.basis = CessBasis::kPropertyTax;
  } else {
    return FieldError(r.Path("basis"), "must be annual_value or property_tax.",
                      "annual_value या property_tax होना चाहिए।");
  }
  PALIKA_RETURN_IF_ERROR(r.Finish());
  return cess;
}

json::object CessToJson(const Cess& cess) {
  return json::object{{"bp", cess.bp}, {"basis", BasisCode(cess.basis)}};
}

}  // namespace

std::string_view HeadCode(Head head) {
  switch (head) {
    case Head::kPropertyTax:
      return "property_tax";
    case Head::kSamekitKar:
      return "samekit_kar";
    case Head::kEducationCess:
      return "education_cess";
    case Head::kUrbanDevelopmentCess:
      return "urban_development_cess";
  }
  PALIKA_ASSERT(false);
  return {};
}

std::optional<Head> HeadFromCode(std::string_view code) {
  for (Head h : kAllHeads) {
    if (HeadCode(h) == code) return h;
  }
  return std::nullopt;
}

std::string_view HeadName(Head head) {
  switch (head) {
    case Head::kPropertyTax:
      return "Property tax";
    case Head::kSamekitKar:
      return "Samekit kar (consolidated tax)";
    case Head::kEducationCess:
      return "Education cess";
    case Head::kUrbanDevelopmentCess:
      return "Urban development cess";
  }
  PALIKA_ASSERT(false);
  return {};
}

std::string_view HeadNameHi(Head head) {
  switch (head) {
    case Head::kPropertyTax:
      return "संपत्ति कर";
    case Head::kSamekitKar:
      return "समेकित कर";
    case Head::kEducationCess:
      return "शिक्षा उपकर";
    case Head::kUrbanDevelopmentCess:
      return "नगरीय विकास उपकर";
  }
  PALIKA_ASSERT(false);
  return {};
}

Money BasisPointsOf(Money base, int64_t basis_points, Rounding rounding) {
  PALIKA_ASSERT(basis_points >= 0 && basis_points <= 1'000'000);
  const Int128 product = Int128{base.paise()} * basis_points;
  const Int128 paise = rounding == Rounding::kRupeeHalfUp
                           ? DivideHalfAway(product, Int128{10000} * 100) * 100
                           : DivideHalfAway(product, 10000);
  PALIKA_ASSERT(paise >= INT64_MIN && paise <= INT64_MAX);
  return Money::FromPaise(static_cast<int64_t>(paise));
}

Money RoundAmount(Money amount, Rounding rounding) {
  return rounding == Rounding::kRupeeHalfUp ? amount.RoundToRupeeHalfUp() : amount;
}

std::optional<int64_t> RateTable::ValueRate(std::string_view zone, std::string_view construction,
                                            std::string_view use) const {
  auto it = value_rates.find(
      ValueRateKey{std::string(zone), std::string(construction), std::string(use)});
  if (it == value_rates.end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> RateTable::VacantLandRate(std::string_view zone) const {
  auto it = vacant_land_rates.find(zone);
  if (it == vacant_land_rates.end()) return std::nullopt;
  return it->second;
}

Money RateTable::SamekitKarFor(Money annual_value) const {
  for (const auto& slab : samekit_kar) {
    if (!slab.up_to || annual_value <= *slab.up_to) return slab.amount;
  }
  return Money();  // unreachable for a valid table: the last slab is open
}

bool RateTable::RebateApplies(Head head) const {
  return std::find(rebate.heads.begin(), rebate.heads.end(), head) != rebate.heads.end();
}

bool RateTable::SurchargeApplies(Head head) const {
  return std::find(surcharge.heads.begin(), surcharge.heads.end(), head) != surcharge.heads.end();
}

Status ValidateRateTable(const RateTable& t) {
  if (t.value_rates.empty()) {
    return FieldError("value_rates", "must list at least one value rate.",
                      "में कम से कम एक मूल्य दर होनी चाहिए।");
  }
  if (t.value_rates.size() > kMaxValueRates) {
    return FieldError("value_rates", fmt::format("has more than {} items.", kMaxValueRates),
                      fmt::format("में {} से अधिक प्रविष्टियाँ हैं।", kMaxValueRates));
  }
  for (const auto& [key, paise] : t.value_rates) {
    const std::string where =
        fmt::format("value_rates[{} / {} / {}]", key.zone, key.construction, key.use);
    if (!ZoneIsClean(key.zone)) return ZoneError(where + ".zone");
    if (!detail::IsOneOf(kRateConstructionCodes, key.construction)) {
      return NotOneOf(where + ".construction", kRateConstructionCodes);
    }
    if (!detail::IsOneOf(kRateUseCodes, key.use)) return NotOneOf(where + ".use", kRateUseCodes);
    PALIKA_RETURN_IF_ERROR(CheckRange(paise, where + ".paise_per_sqft", 1, kMaxValueRatePaise));
  }
  if (t.vacant_land_rates.size() > kMaxValueRates) {
    return FieldError("vacant_land_rates", fmt::format("has more than {} items.", kMaxValueRates),
                      fmt::format("में {} से अधिक प्रविष्टियाँ हैं।", kMaxValueRates));
  }
  for (const auto& [zone, paise] : t.vacant_land_rates) {
    const std::string where = fmt::format("vacant_land_rates[{}]", zone);
    if (!ZoneIsClean(zone)) return ZoneError(where + ".zone");
    PALIKA_RETURN_IF_ERROR(CheckRange(paise, where + ".paise_per_sqft", 1, kMaxValueRatePaise));
  }
  PALIKA_RETURN_IF_ERROR(CheckRange(t.rented_multiplier_bp, "rented_multiplier_bp", 1, 100000));
  PALIKA_RETURN_IF_ERROR(CheckRange(t.property_tax_bp, "property_tax_bp", 100, 10000));

  if (t.samekit_kar.empty() || t.samekit_kar.size() > 50) {
    return FieldError("samekit_kar", "must list 1 to 50 slabs.", "में 1 से 50 स्लैब होने चाहिए।");
  }
  for (size_t i = 0; i < t.samekit_kar.size(); ++i) {
    const auto& slab = t.samekit_kar[i];
    const std::string where = fmt::format("samekit_kar[{}]", i);
    const bool last = i + 1 == t.samekit_kar.size();
    if (last != !slab.up_to.has_value()) {
      return FieldError(where + ".up_to_paise",
                        "every slab but the last needs an upper limit; the last has none.",
                        "अंतिम स्लैब को छोड़कर हर स्लैब की ऊपरी सीमा होनी चाहिए; अंतिम की कोई "
                        "सीमा नहीं होती।");
    }
    if (slab.up_to) {
      PALIKA_RETURN_IF_ERROR(
          CheckRange(slab.up_to->paise(), where + ".up_to_paise", 0, kMaxUpToPaise));
      if (i > 0 && *slab.up_to <= *t.samekit_kar[i - 1].up_to) {
        return FieldError(where + ".up_to_paise", "must be larger than the previous slab's.",
                          "पिछले स्लैब की सीमा से बड़ा होना चाहिए।");
      }
    }
    PALIKA_RETURN_IF_ERROR(
        CheckRange(slab.amount.paise(), where + ".amount_paise", 0, kMaxSlabAmountPaise));
  }
  PALIKA_RETURN_IF_ERROR(CheckRange(t.education_cess.bp, "education_cess.bp", 0, 10000));
  PALIKA_RETURN_IF_ERROR(
      CheckRange(t.urban_development_cess.bp, "urban_development_cess.bp", 0, 10000));

  if (!t.fy.Contains(t.rebate.deadline)) return OutsideYear("rebate.deadline", t.fy);
  PALIKA_RETURN_IF_ERROR(CheckRange(t.rebate.bp, "rebate.bp", 0, 10000));
  PALIKA_RETURN_IF_ERROR(
      CheckRange(t.rebate.online_extra_bp, "rebate.online_extra_bp", 0, 10000 - t.rebate.bp));
  PALIKA_RETURN_IF_ERROR(ValidateHeads(t.rebate.heads, "rebate.heads"));

  if (t.surcharge.steps.size() > 24) {
    return FieldError("surcharge.steps", "has more than 24 items.", "में 24 से अधिक प्रविष्टियाँ हैं।");
  }
  for (size_t i = 0; i < t.surcharge.steps.size(); ++i) {
    const auto& step = t.surcharge.steps[i];
    const std::string where = fmt::format("surcharge.steps[{}]", i);
    if (!t.fy.Contains(step.from)) return OutsideYear(where + ".from", t.fy);
    PALIKA_RETURN_IF_ERROR(CheckRange(step.bp, where + ".bp", 0, 10000));
    if (i > 0) {
      const auto& prev = t.surcharge.steps[i - 1];
      if (step.from <= prev.from) {
        return FieldError(where + ".from", "must be later than the previous step's date.",
                          "पिछले चरण की तारीख के बाद की होनी चाहिए।");
      }
      // A surcharge never falls as time passes: what a payer paid stays owed (dues.h).
      if (step.bp < prev.bp) {
        return FieldError(where + ".bp", "must not be lower than the previous step's rate.",
                          "पिछले चरण की दर से कम नहीं होना चाहिए।");
      }
    }
  }
  PALIKA_RETURN_IF_ERROR(ValidateHeads(t.surcharge.heads, "surcharge.heads"));
  return Status::OK();
}

Result<RateTable> RateTableFromJson(const json::object& obj) {
  FieldReader r(obj, "");
  RateTable t;
  PALIKA_RETURN_IF_ERROR(r.Int("version", 1, 1).status());
  PALIKA_ASSIGN_OR_RETURN(t.fy, r.Year("fy"));

  PALIKA_ASSIGN_OR_RETURN(const json::array* rates, r.Array("value_rates", kMaxValueRates));
  for (size_t i = 0; i < rates->size(); ++i) {
    const std::string where = fmt::format("value_rates[{}]", i);
    PALIKA_ASSIGN_OR_RETURN(const json::object* o, detail::ElementObject(*rates, i, "value_rates"));
    FieldReader e(*o, where);
    ValueRateKey key;
    PALIKA_ASSIGN_OR_RETURN(key.zone, e.String("zone", kMaxRateZoneChars));
    PALIKA_ASSIGN_OR_RETURN(key.construction, e.String("construction", 40));
    if (!detail::IsOneOf(kRateConstructionCodes, key.construction)) {
      return NotOneOf(e.Path("construction"), kRateConstructionCodes);
    }
    PALIKA_ASSIGN_OR_RETURN(key.use, e.String("use", 40));
    if (!detail::IsOneOf(kRateUseCodes, key.use)) return NotOneOf(e.Path("use"), kRateUseCodes);
    PALIKA_ASSIGN_OR_RETURN(int64_t paise, e.Int("paise_per_sqft", 1, kMaxValueRatePaise));
    PALIKA_RETURN_IF_ERROR(e.Finish());
    if (!t.value_rates.emplace(std::move(key), paise).second) {
      return FieldError(where,
                        "repeats a zone, construction and use already given a rate; give each "
                        "combination once.",
                        "किसी क्षेत्र, निर्माण और उपयोग की दर दोबारा दी गई है; हर संयोजन एक ही "
                        "बार दें।");
    }
  }
  PALIKA_ASSIGN_OR_RETURN(const json::array* land, r.Array("vacant_land_rates", kMaxValueRates));
  for (size_t i = 0; i < land->size(); ++i) {
    const std::string where = fmt::format("vacant_land_rates[{}]", i);
    PALIKA_ASSIGN_OR_RETURN(const json::object* o,
                            detail::ElementObject(*land, i, "vacant_land_rates"));
    FieldReader e(*o, where);
    PALIKA_ASSIGN_OR_RETURN(std::string zone, e.String("zone", kMaxRateZoneChars));
    PALIKA_ASSIGN_OR_RETURN(int64_t paise, e.Int("paise_per_sqft", 1, kMaxValueRatePaise));
    PALIKA_RETURN_IF_ERROR(e.Finish());
    if (!t.vacant_land_rates.emplace(std::move(zone), paise).second) {
      return FieldError(where, "repeats a zone already given a rate; give each zone once.",
                        "किसी ज़ोन की दर दोबारा दी गई है; हर ज़ोन एक ही बार दें।");
    }
  }
  PALIKA_ASSIGN_OR_RETURN(t.rented_multiplier_bp, r.Int("rented_multiplier_bp", 1, 100000));
  PALIKA_ASSIGN_OR_RETURN(t.property_tax_bp, r.Int("property_tax_bp", 100, 10000));

  PALIKA_ASSIGN_OR_RETURN(const json::array* slabs, r.Array("samekit_kar", 50));
  for (size_t i = 0; i < slabs->size(); ++i) {
    PALIKA_ASSIGN_OR_RETURN(const json::object* o, detail::ElementObject(*slabs, i, "samekit_kar"));
    FieldReader e(*o, fmt::format("samekit_kar[{}]", i));
    SamekitSlab slab;
    PALIKA_ASSIGN_OR_RETURN(auto up_to, e.OptionalInt("up_to_paise", 0, kMaxUpToPaise));
    if (up_to) slab.up_to = Money::FromPaise(*up_to);
    PALIKA_ASSIGN_OR_RETURN(int64_t amount, e.Int("amount_paise", 0, kMaxSlabAmountPaise));
    slab.amount = Money::FromPaise(amount);
    PALIKA_RETURN_IF_ERROR(e.Finish());
    t.samekit_kar.push_back(slab);
  }
  PALIKA_ASSIGN_OR_RETURN(t.education_cess, CessFromJson(r, "education_cess"));
  PALIKA_ASSIGN_OR_RETURN(t.urban_development_cess, CessFromJson(r, "urban_development_cess"));

  {
    PALIKA_ASSIGN_OR_RETURN(const json::object* o, r.Object("rebate"));
    FieldReader e(*o, "rebate");
    PALIKA_ASSIGN_OR_RETURN(t.rebate.deadline, e.Date("deadline"));
    PALIKA_ASSIGN_OR_RETURN(t.rebate.bp, e.Int("bp", 0, 10000));
    PALIKA_ASSIGN_OR_RETURN(t.rebate.online_extra_bp, e.Int("online_extra_bp", 0, 10000));
    PALIKA_ASSIGN_OR_RETURN(t.rebate.heads, HeadsFromJson(e, "heads"));
    PALIKA_RETURN_IF_ERROR(e.Finish());
  }
  {
    PALIKA_ASSIGN_OR_RETURN(const json::object* o, r.Object("surcharge"));
    FieldReader e(*o, "surcharge");
    PALIKA_ASSIGN_OR_RETURN(const json::array* steps, e.Array("steps", 24));
    for (size_t i = 0; i < steps->size(); ++i) {
      PALIKA_ASSIGN_OR_RETURN(const json::object* so,
                              detail::ElementObject(*steps, i, "surcharge.steps"));
      FieldReader s(*so, fmt::format("surcharge.steps[{}]", i));
      SurchargeStep step;
      PALIKA_ASSIGN_OR_RETURN(step.from, s.Date("from"));
      PALIKA_ASSIGN_OR_RETURN(step.bp, s.Int("bp", 0, 10000));
      PALIKA_RETURN_IF_ERROR(s.Finish());
      t.surcharge.steps.push_back(step);
    }
    PALIKA_ASSIGN_OR_RETURN(t.surcharge.heads, HeadsFromJson(e, "heads"));
    PALIKA_RETURN_IF_ERROR(e.Finish());
  }
  PALIKA_ASSIGN_OR_RETURN(std::string rounding, r.String("rounding", 40));
  if (rounding == "rupee_half_up") {
    t.rounding = Rounding::kRupeeHalfUp;
  } else if (rounding == "paisa") {
    t.rounding = Rounding::kPaisa;
  } else {
    return FieldError("rounding", "must be rupee_half_up or paisa.",
                      "rupee_half_up या paisa होना चाहिए।");
  }
  PALIKA_RETURN_IF_ERROR(r.Finish());
  // Cross-field rules (dates within the year, ordering, limits) are checked once, here.
  PALIKA_RETURN_IF_ERROR(ValidateRateTable(t));
  return t;
}

json::object RateTableToJson(const RateTable& t) {
  json::array rates;
  for (const auto& [key, paise] : t.value_rates) {
    rates.emplace_back(json::object{{"zone", key.zone},
                                    {"construction", key.construction},
                                    {"use", key.use},
                                    {"paise_per_sqft", paise}});
  }
  json::array land;
  for (const auto& [zone, paise] : t.vacant_land_rates) {
    land.emplace_back(json::object{{"zone", zone}, {"paise_per_sqft", paise}});
  }
  json::array slabs;
  for (const auto& slab : t.samekit_kar) {
    json::object o{{"amount_paise", slab.amount.paise()}};
    if (slab.up_to) o["up_to_paise"] = slab.up_to->paise();
    slabs.emplace_back(std::move(o));
  }
  json::array steps;
  for (const auto& step : t.surcharge.steps) {
    steps.emplace_back(json::object{{"from", step.from.Format()}, {"bp", step.bp}});
  }
  return json::object{
      {"version", 1},
      {"fy", t.fy.Format()},
      {"value_rates", std::move(rates)},
      {"vacant_land_rates", std::move(land)},
      {"rented_multiplier_bp", t.rented_multiplier_bp},
      {"property_tax_bp", t.property_tax_bp},
      {"samekit_kar", std::move(slabs)},
      {"education_cess", CessToJson(t.education_cess)},
      {"urban_development_cess", CessToJson(t.urban_development_cess)},
      {"rebate", json::object{{"deadline", t.rebate.deadline.Format()},
                              {"bp", t.rebate.bp},
                              {"online_extra_bp", t.rebate.online_extra_bp},
                              {"heads", HeadsToJson(t.rebate.heads)}}},
      {"surcharge",
       json::object{{"steps", std::move(steps)}, {"heads", HeadsToJson(t.surcharge.heads)}}},
      {"rounding", RoundingCode(t.rounding)},
  };
}

RateTable DemoRateTable(FinancialYear fy) {
  RateTable t;
  t.fy = fy;
  // Demo value rates: a residential RCC base per zone, scaled by construction and use.
  struct Zone {
    const char* name;
    int64_t residential_rcc_paise;
  };
  constexpr Zone kZones[] = {{"Zone 1", 2400}, {"Zone 2", 1800}, {"Zone 3", 1200}};
  constexpr std::array<int64_t, kRateConstructionCodes.size()> kConstructionPct = {100, 80, 50, 30};
  constexpr std::array<int64_t, kRateUseCodes.size()> kUsePct = {100, 300, 250, 150, 150, 120, 200};
  for (const auto& zone : kZones) {
    for (size_t c = 0; c < kRateConstructionCodes.size(); ++c) {
      for (size_t u = 0; u < kRateUseCodes.size(); ++u) {
        t.value_rates[ValueRateKey{zone.name, std::string(kRateConstructionCodes[c]),
                                   std::string(kRateUseCodes[u])}] =
            zone.residential_rcc_paise * kConstructionPct[c] * kUsePct[u] / 10000;
      }
    }
  }
  constexpr int64_t kLandPaise[] = {400, 300, 200};
  for (size_t z = 0; z < std::size(kZones); ++z)
    t.vacant_land_rates[kZones[z].name] = kLandPaise[z];
  t.rented_multiplier_bp = 15000;
  t.property_tax_bp = 1000;
  t.samekit_kar = {
      {Money::FromRupees(6'000), Money::FromRupees(300)},
      {Money::FromRupees(12'000), Money::FromRupees(600)},
      {Money::FromRupees(24'000), Money::FromRupees(900)},
      {Money::FromRupees(50'000), Money::FromRupees(1'500)},
      {std::nullopt, Money::FromRupees(3'000)},
  };
  t.education_cess = {200, CessBasis::kAnnualValue};
  t.urban_development_cess = {100, CessBasis::kAnnualValue};
  // DOMAIN.md: 6.25% by 30 June, +1% online; 5% from 1 January, 10% from 1 February.
  const int y = fy.start_year();
  t.rebate = {CivilDate::FromYmd(y, 6, 30).value(), 625, 100, {Head::kPropertyTax}};
  t.surcharge = {{{CivilDate::FromYmd(y + 1, 1, 1).value(), 500},
                  {CivilDate::FromYmd(y + 1, 2, 1).value(), 1000}},
                 {Head::kPropertyTax}};
  t.rounding = Rounding::kRupeeHalfUp;
  return t;
}

}  // namespace palika::property_tax
