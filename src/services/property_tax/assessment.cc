#include "services/property_tax/assessment.h"

#include <fmt/format.h>

#include "core/check.h"

namespace palika::property_tax {
namespace json = boost::json;
namespace {

// "Floor entry 2 (first floor)" / "मंज़िल प्रविष्टि 2 (तल 1)": the place in the return and the floor.
std::string FloorName(size_t index, int64_t floor, bool hindi) {
  std::string which;
  if (floor == 0) {
    which = hindi ? "भूतल" : "ground floor";
  } else if (floor > 0) {
    which = hindi ? fmt::format("तल {}", floor) : fmt::format("floor {}", floor);
  } else {
    which = hindi ? fmt::format("तलघर {}", -floor) : fmt::format("basement {}", -floor);
  }
  return hindi ? fmt::format("मंज़िल प्रविष्टि {} ({})", index + 1, which)
               : fmt::format("Floor entry {} ({})", index + 1, which);
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
Status BadCode(size_t index, const FloorInput& f, std::string_view field, std::string_view field_hi,
               std::string_view value, const std::array<std::string_view, N>& codes) {
  const std::string list = CodeList(codes);
  return Status::InvalidArgument(
      "invalid_floor",
      fmt::format("{}: {} '{}' is not known; use one of: {}.", FloorName(index, f.floor, false),
                  field, value, list),
      fmt::format("{}: {} '{}' मान्य नहीं है; इनमें से एक चुनें: {}।", FloorName(index, f.floor, true),
                  field_hi, value, list));
}

Status CheckFloor(size_t i, const FloorInput& f) {
  if (f.built_up_sqft < 1 || f.built_up_sqft > kMaxAreaSqft) {
    return Status::InvalidArgument(
        "invalid_floor",
        fmt::format("{}: the built-up area must be 1 to {} square feet (whole square feet).",
                    FloorName(i, f.floor, false), kMaxAreaSqft),
        fmt::format("{}: निर्मित क्षेत्रफल 1 से {} वर्ग फुट (पूर्ण वर्ग फुट) होना चाहिए।",
                    FloorName(i, f.floor, true), kMaxAreaSqft));
  }
  if (!detail::IsOneOf(kRateConstructionCodes, f.construction)) {
    return BadCode(i, f, "construction type", "निर्माण प्रकार", f.construction,
                   kRateConstructionCodes);
  }
  if (!detail::IsOneOf(kRateUseCodes, f.use)) {
    return BadCode(i, f, "use", "उपयोग", f.use, kRateUseCodes);
  }
  if (!detail::IsOneOf(kRateOccupancyCodes, f.occupancy)) {
    return BadCode(i, f, "occupancy", "अधिभोग", f.occupancy, kRateOccupancyCodes);
  }
  return Status::OK();
}

// The vacant plot's value: plot area × the zone's land rate.
Status ValueVacantPlot(const AssessmentInput& input, const RateTable& table, Assessment& a) {
  if (input.plot_area_sqft < 1 || input.plot_area_sqft > kMaxAreaSqft) {
    return Status::InvalidArgument(
        "invalid_plot_area",
        fmt::format("A return without floors is for a vacant plot, and needs the plot area: 1 to "
                    "{} square feet. Give the plot area, or add the building's floors.",
                    kMaxAreaSqft),
        fmt::format("बिना मंज़िलों की विवरणी खाली भूखंड की होती है, और उसमें भूखंड का क्षेत्रफल (1 से {} "
                    "वर्ग फुट) चाहिए। भूखंड का क्षेत्रफल दें, या भवन की मंज़िलें जोड़ें।",
                    kMaxAreaSqft));
  }
  const auto rate = table.VacantLandRate(input.zone);
  if (!rate) {
    return Status::InvalidArgument(
        "vacant_land_rate_missing",
        fmt::format("The {} rate table has no vacant-land rate for zone '{}'. Check the zone, or "
                    "ask the ULB administrator to add the rate.",
                    table.fy.Format(), input.zone),
        fmt::format("{} की दर तालिका में ज़ोन '{}' की खाली भूमि की दर नहीं है। ज़ोन जाँचें, या निकाय "
                    "प्रशासक से दर जुड़वाएँ।",
                    table.fy.Format(), input.zone));
  }
  a.plot_area_sqft = input.plot_area_sqft;
  a.vacant_land_rate_paise_per_sqft = *rate;
  // area <= 10^8 and rate <= 10^8 paise: the product fits in int64.
  a.annual_value = Money::FromPaise(input.plot_area_sqft * *rate);
  return Status::OK();
}

}  // namespace

Money Assessment::Amount(Head head) const {
  for (const auto& h : heads) {
    if (h.head == head) return h.amount;
  }
  return Money();
}

Result<Assessment> Assess(const AssessmentInput& input, const RateTable& table) {
  if (input.floors.size() > kMaxReturnFloors) {
    return Status::InvalidArgument(
        "too_many_floors",
        fmt::format("A return can list at most {} floors; combine parts of the same kind.",
                    kMaxReturnFloors),
        fmt::format("एक विवरणी में अधिकतम {} मंज़िल प्रविष्टियाँ हो सकती हैं; एक जैसे हिस्सों को मिलाएँ।",
                    kMaxReturnFloors));
  }
  if (input.zone.empty()) {
    return Status::InvalidArgument("invalid_zone",
                                   "The property's zone is missing. Give the zone of its ward.",
                                   "संपत्ति का ज़ोन नहीं दिया गया है। उसके वार्ड का ज़ोन दें।");
  }

  Assessment a;
  a.fy = table.fy;
  a.zone = input.zone;
  if (input.floors.empty()) PALIKA_RETURN_IF_ERROR(ValueVacantPlot(input, table, a));
  a.floors.reserve(input.floors.size());
  for (size_t i = 0; i < input.floors.size(); ++i) {
    const FloorInput& f = input.floors[i];
    PALIKA_RETURN_IF_ERROR(CheckFloor(i, f));
    const auto rate = table.ValueRate(input.zone, f.construction, f.use);
    if (!rate) {
      return Status::InvalidArgument(
          "value_rate_missing",
          fmt::format("{}: the {} rate table has no value rate for zone '{}', construction {}, "
                      "use {}. Check the zone and the floor, or ask the ULB administrator to add "
                      "the rate.",
                      FloorName(i, f.floor, false), table.fy.Format(), input.zone, f.construction,
                      f.use),
          fmt::format("{}: {} की दर तालिका में ज़ोन '{}', निर्माण {}, उपयोग {} की मूल्य दर नहीं है। "
                      "ज़ोन और मंज़िल जाँचें, या निकाय प्रशासक से दर जुड़वाएँ।",
                      FloorName(i, f.floor, true), table.fy.Format(), input.zone, f.construction,
                      f.use));
    }
    FloorWorking w;
    w.floor = f.floor;
    w.built_up_sqft = f.built_up_sqft;
    w.construction = f.construction;
    w.use = f.use;
    w.occupancy = f.occupancy;
    w.rate_paise_per_sqft = *rate;
    // area <= 10^8 and rate <= 10^8 paise: the product fits in int64 (the sum is checked).
    w.base_value = Money::FromPaise(f.built_up_sqft * *rate);
    w.occupancy_multiplier_bp = f.occupancy == "rented" ? table.rented_multiplier_bp : 10000;
    w.annual_value = BasisPointsOf(w.base_value, w.occupancy_multiplier_bp, Rounding::kPaisa);
    auto sum = a.annual_value.CheckedAdd(w.annual_value);
    if (!sum.ok() || sum->paise() > kMaxAnnualValuePaise) {
      return Status::InvalidArgument(
          "annual_value_too_large",
          "The property's annual value is too large to be real. Check the floor areas.",
          "संपत्ति का वार्षिक मूल्य वास्तविक होने के लिए बहुत बड़ा है। मंज़िलों का क्षेत्रफल जाँचें।");
    }
    a.annual_value = *sum;
    a.floors.push_back(std::move(w));
  }

  // MPMC s.135: property tax as a share of the annual value; then samekit kar and the cesses.
  const Money property_tax = BasisPointsOf(a.annual_value, table.property_tax_bp, table.rounding);
  auto cess = [&](Head head, const Cess& c) {
    const Money basis = c.basis == CessBasis::kAnnualValue ? a.annual_value : property_tax;
    return HeadWorking{head, basis, c.bp, BasisPointsOf(basis, c.bp, table.rounding)};
  };
  a.heads = {
      HeadWorking{Head::kPropertyTax, a.annual_value, table.property_tax_bp, property_tax},
      HeadWorking{Head::kSamekitKar, a.annual_value, 0,
                  RoundAmount(table.SamekitKarFor(a.annual_value), table.rounding)},
      cess(Head::kEducationCess, table.education_cess),
      cess(Head::kUrbanDevelopmentCess, table.urban_development_cess),
  };
  for (const auto& h : a.heads) a.total += h.amount;
  return a;
}

json::object AssessmentToJson(const Assessment& a) {
  json::array floors;
  for (const auto& f : a.floors) {
    floors.emplace_back(json::object{{"floor", f.floor},
                                     {"built_up_sqft", f.built_up_sqft},
                                     {"construction", f.construction},
                                     {"use", f.use},
                                     {"occupancy", f.occupancy},
                                     {"rate_paise_per_sqft", f.rate_paise_per_sqft},
                                     {"base_value_paise", f.base_value.paise()},
                                     {"occupancy_multiplier_bp", f.occupancy_multiplier_bp},
                                     {"annual_value_paise", f.annual_value.paise()}});
  }
  json::array heads;
  for (const auto& h : a.heads) {
    heads.emplace_back(json::object{{"head", HeadCode(h.head)},
                                    {"basis_paise", h.basis.paise()},
                                    {"bp", h.bp},
                                    {"amount_paise", h.amount.paise()}});
  }
  return json::object{{"fy", a.fy.Format()},
                      {"zone", a.zone},
                      {"plot_area_sqft", a.plot_area_sqft},
                      {"vacant_land_rate_paise_per_sqft", a.vacant_land_rate_paise_per_sqft},
                      {"annual_value_paise", a.annual_value.paise()},
                      {"total_paise", a.total.paise()},
                      {"floors", std::move(floors)},
                      {"heads", std::move(heads)}};
}

}  // namespace palika::property_tax
