#include "services/property_tax/dues.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "core/check.h"
#include "core/json.h"
#include "services/property_tax/rates_json.h"

namespace palika::property_tax {
namespace json = boost::json;
using detail::FieldError;
using detail::FieldReader;

namespace {

// Each amount of an account line is at most ₹1 lakh crore and an account has at most
// kMaxAccountLines lines, so no sum below can overflow int64 paise.
constexpr int64_t kMaxAccountPaise = 1'00'00'00'000'00'00;
constexpr size_t kMaxAccountLines = 1000;

size_t HeadRank(Head head) {
  for (size_t i = 0; i < kAllHeads.size(); ++i) {
    if (kAllHeads[i] == head) return i;
  }
  PALIKA_ASSERT(false);
  return 0;
}

Status AccountInconsistent(const AccountLine& line, std::string_view en_why,
                           std::string_view hi_why) {
  return Status::InvalidArgument(
      "account_inconsistent",
      fmt::format("The account for {} {} is inconsistent: {}. Correct the account before working "
                  "out dues.",
                  line.fy.Format(), HeadName(line.head), en_why),
      fmt::format("{} {} का खाता असंगत है: {}। बकाया निकालने से पहले खाता सुधारें।", line.fy.Format(),
                  HeadNameHi(line.head), hi_why));
}

Status CheckAccountLine(const AccountLine& l) {
  for (Money m : {l.demanded, l.principal_paid, l.rebate_granted, l.surcharge_levied,
                  l.surcharge_paid, l.surcharge_waived}) {
    if (m.IsNegative() || m.paise() > kMaxAccountPaise) {
      return AccountInconsistent(l, "an amount is negative or impossibly large",
                                 "कोई राशि ऋणात्मक या असंभव रूप से बड़ी है");
    }
  }
  if (l.principal_paid + l.rebate_granted > l.demanded) {
    return AccountInconsistent(l, "more was paid and rebated than was demanded",
                               "माँग से अधिक भुगतान और छूट दर्ज है");
  }
  return Status::OK();
}

Money WaiverSlabLimit(const WaiverSlab& s) { return s.up_to.value_or(Money()); }

}  // namespace

CivilDate ShiftForOutages(CivilDate nominal, CivilDate year_start,
                          std::span<const Outage> outages) {
  // Outage days from year_start on, as [from, to] day numbers, merged where they overlap or touch.
  const int64_t start = year_start.DaysSinceEpoch();
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (const auto& o : outages) {
    const int64_t to = o.to.DaysSinceEpoch();
    if (to < start) continue;
    spans.emplace_back(std::max(o.from.DaysSinceEpoch(), start), to);
  }
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& s : spans) {
    if (!merged.empty() && s.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, s.second);
    } else {
      merged.push_back(s);
    }
  }
  // The clock stops during an outage: every outage that began on or before the (moving) date
  // pushes it later by its length.
  int64_t date = nominal.DaysSinceEpoch();
  for (const auto& [from, to] : merged) {
    if (from > date) break;
    date += to - from + 1;
  }
  return CivilDate::FromDaysSinceEpoch(date);
}

CivilDate EffectiveRebateDeadline(const RateTable& table, std::span<const Outage> outages) {
  return ShiftForOutages(table.rebate.deadline, table.fy.Start(), outages);
}

std::vector<SurchargeStep> EffectiveSurchargeSteps(const RateTable& table,
                                                   std::span<const Outage> outages) {
  std::vector<SurchargeStep> steps = table.surcharge.steps;
  for (auto& step : steps) step.from = ShiftForOutages(step.from, table.fy.Start(), outages);
  return steps;
}

int64_t SurchargeBpOn(const RateTable& table, std::span<const Outage> outages, CivilDate on) {
  // As EffectiveSurchargeSteps, without copying the steps (once per line of every payment).
  int64_t bp = 0;
  for (const auto& step : table.surcharge.steps) {
    if (ShiftForOutages(step.from, table.fy.Start(), outages) <= on) bp = step.bp;
  }
  return bp;
}

WaiverScheme LokAdalatWaiverScheme(std::string name, CivilDate from, CivilDate to) {
  // MPMC s.162–163, DOMAIN.md: 100% <= ₹50,000; 50% for ₹50,000–1,00,000; 25% above.
  return WaiverScheme{std::move(name),
                      from,
                      to,
                      {{Money::FromRupees(50'000), 10000},
                       {Money::FromRupees(1'00'000), 5000},
                       {std::nullopt, 2500}}};
}

Status ValidateWaiverScheme(const WaiverScheme& s) {
  if (s.name.empty() || Utf8Length(s.name) > 200) {
    return FieldError("name", "must be 1 to 200 characters.", "1 से 200 वर्णों का होना चाहिए।");
  }
  if (s.to < s.from) {
    return FieldError("to", "must not be before 'from'.", "'from' से पहले नहीं हो सकता।");
  }
  if (s.slabs.empty() || s.slabs.size() > 20) {
    return FieldError("slabs", "must list 1 to 20 slabs.", "में 1 से 20 स्लैब होने चाहिए।");
  }
  for (size_t i = 0; i < s.slabs.size(); ++i) {
    const auto& slab = s.slabs[i];
    const std::string where = fmt::format("slabs[{}]", i);
    const bool last = i + 1 == s.slabs.size();
    if (last != !slab.up_to.has_value()) {
      return FieldError(where + ".up_to_paise",
                        "every slab but the last needs an upper limit; the last has none.",
                        "अंतिम स्लैब को छोड़कर हर स्लैब की ऊपरी सीमा होनी चाहिए; अंतिम की कोई "
                        "सीमा नहीं होती।");
    }
    if (slab.up_to && (slab.up_to->IsNegative() || slab.up_to->paise() > kMaxUpToPaise ||
                       (i > 0 && *slab.up_to <= WaiverSlabLimit(s.slabs[i - 1])))) {
      return FieldError(where + ".up_to_paise",
                        "must be a limit larger than the previous slab's (and at least 0).",
                        "पिछले स्लैब की सीमा से बड़ी (और कम से कम 0) होनी चाहिए।");
    }
    if (slab.waiver_bp < 0 || slab.waiver_bp > 10000) {
      return FieldError(where + ".waiver_bp", "must be between 0 and 10000.",
                        "0 और 10000 के बीच होना चाहिए।");
    }
  }
  return Status::OK();
}

Result<WaiverScheme> WaiverSchemeFromJson(const json::object& obj) {
  FieldReader r(obj, "");
  WaiverScheme s;
  PALIKA_ASSIGN_OR_RETURN(s.name, r.String("name", 200));
  PALIKA_ASSIGN_OR_RETURN(s.from, r.Date("from"));
  PALIKA_ASSIGN_OR_RETURN(s.to, r.Date("to"));
  PALIKA_ASSIGN_OR_RETURN(const json::array* slabs, r.Array("slabs", 20));
  for (size_t i = 0; i < slabs->size(); ++i) {
    PALIKA_ASSIGN_OR_RETURN(const json::object* o, detail::ElementObject(*slabs, i, "slabs"));
    FieldReader e(*o, fmt::format("slabs[{}]", i));
    WaiverSlab slab;
    PALIKA_ASSIGN_OR_RETURN(auto up_to, e.OptionalInt("up_to_paise", 0, kMaxUpToPaise));
    if (up_to) slab.up_to = Money::FromPaise(*up_to);
    PALIKA_ASSIGN_OR_RETURN(slab.waiver_bp, e.Int("waiver_bp", 0, 10000));
    PALIKA_RETURN_IF_ERROR(e.Finish());
    s.slabs.push_back(slab);
  }
  PALIKA_RETURN_IF_ERROR(r.Finish());
  PALIKA_RETURN_IF_ERROR(ValidateWaiverScheme(s));
  return s;
}

json::object WaiverSchemeToJson(const WaiverScheme& s) {
  json::array slabs;
  for (const auto& slab : s.slabs) {
    json::object o{{"waiver_bp", slab.waiver_bp}};
    if (slab.up_to) o["up_to_paise"] = slab.up_to->paise();
    slabs.emplace_back(std::move(o));
  }
  return json::object{{"name", s.name},
                      {"from", s.from.Format()},
                      {"to", s.to.Format()},
                      {"slabs", std::move(slabs)}};
}

Result<Dues> ComputeDues(std::span<const AccountLine> account, std::span<const RateTable> rates,
                         const DuesQuery& q) {
  for (const auto& o : q.outages) {
    if (o.to < o.from) {
      return Status::InvalidArgument("invalid_outage",
                                     fmt::format("The outage from {} to {} ends before it begins.",
                                                 o.from.Format(), o.to.Format()),
                                     fmt::format("{} से {} तक का व्यवधान शुरू होने से पहले समाप्त होता है।",
                                                 o.from.Format(), o.to.Format()));
    }
  }
  if (q.waiver) PALIKA_RETURN_IF_ERROR(ValidateWaiverScheme(*q.waiver));

  // A few years' tables and at most kMaxAccountLines lines: looked up in place, no tree nodes.
  auto table_of = [&](FinancialYear fy) -> const RateTable* {
    for (const auto& t : rates) {
      if (t.fy == fy) return &t;
    }
    return nullptr;
  };
  for (const auto& t : rates) {
    if (table_of(t.fy) != &t) {
      return Status::InvalidArgument(
          "duplicate_rate_table",
          fmt::format("Two rate tables were given for {}; give one per financial year.",
                      t.fy.Format()),
          fmt::format("{} के लिए दो दर तालिकाएँ दी गईं; हर वित्तीय वर्ष की एक ही दें।", t.fy.Format()));
    }
  }
  if (account.size() > kMaxAccountLines) {
    return Status::InvalidArgument(
        "account_inconsistent",
        fmt::format("The account has more than {} lines.", kMaxAccountLines),
        fmt::format("खाते में {} से अधिक पंक्तियाँ हैं।", kMaxAccountLines));
  }

  Dues d;
  d.on = q.on;
  d.online = q.online;
  d.current = FinancialYear::Of(q.on);
  // The first line (in the account's order) whose year and head an earlier line has.
  std::vector<std::tuple<FinancialYear, size_t, size_t>> keys;  // (year, head rank, index)
  keys.reserve(account.size());
  for (size_t i = 0; i < account.size(); ++i) {
    keys.emplace_back(account[i].fy, HeadRank(account[i].head), i);
  }
  std::sort(keys.begin(), keys.end());
  size_t first_repeat = account.size();
  for (size_t k = 1; k < keys.size(); ++k) {
    const auto& [fy, rank, i] = keys[k];
    if (fy == std::get<0>(keys[k - 1]) && rank == std::get<1>(keys[k - 1])) {
      first_repeat = std::min(first_repeat, i);
    }
  }
  for (size_t i = 0; i < account.size(); ++i) {
    const AccountLine& a = account[i];
    if (i == first_repeat) {
      return Status::InvalidArgument(
          "duplicate_account_line",
          fmt::format("The account lists {} {} twice.", a.fy.Format(), HeadName(a.head)),
          fmt::format("खाते में {} {} दो बार है।", a.fy.Format(), HeadNameHi(a.head)));
    }
    PALIKA_RETURN_IF_ERROR(CheckAccountLine(a));
    if (a.fy > d.current) continue;  // a year not yet begun owes nothing on `on`

    const Money unpaid = a.demanded - a.principal_paid - a.rebate_granted;
    const Money fixed_surcharge = a.surcharge_levied - a.surcharge_paid - a.surcharge_waived;
    if (unpaid.IsZero() && fixed_surcharge <= Money()) continue;

    const RateTable* table = table_of(a.fy);
    if (table == nullptr) {
      return Status::NotFound(
          "rate_table_missing",
          fmt::format("There is no rate table for {}, so its dues cannot be worked out. Load the "
                      "year's rate table first.",
                      a.fy.Format()),
          fmt::format("{} की दर तालिका नहीं है, इसलिए उसका बकाया नहीं निकाला जा सकता। पहले उस वर्ष "
                      "की दर तालिका दर्ज करें।",
                      a.fy.Format()));
    }
    const RateTable& t = *table;

    DuesLine line;
    line.fy = a.fy;
    line.head = a.head;
    line.arrear = a.fy < d.current;
    line.rounding = t.rounding;
    line.principal = unpaid;
    // Surcharge: the rate the year has reached on `on` (its last step, for arrears).
    line.surcharge_bp = t.SurchargeApplies(a.head) ? SurchargeBpOn(t, q.outages, q.on) : 0;
    line.surcharge =
        std::max(Money(), fixed_surcharge + BasisPointsOf(unpaid, line.surcharge_bp, t.rounding));
    // Rebate: current year only, on or before the (outage-extended) deadline.
    const int64_t rebate_bp = t.rebate.bp + (q.online ? t.rebate.online_extra_bp : 0);
    if (!line.arrear && t.RebateApplies(a.head) && rebate_bp > 0 &&
        q.on <= EffectiveRebateDeadline(t, q.outages)) {
      line.rebate_bp = rebate_bp;
      line.rebate = BasisPointsOf(unpaid, rebate_bp, t.rounding);
    }
    if (line.principal.IsZero() && line.surcharge.IsZero()) continue;
    d.lines.push_back(line);
  }
  std::sort(d.lines.begin(), d.lines.end(), [](const DuesLine& x, const DuesLine& y) {
    if (x.fy != y.fy) return x.fy < y.fy;
    return HeadRank(x.head) < HeadRank(y.head);
  });

  // Lok Adalat (MPMC s.162–163): one slab for the property, by its whole tax + surcharge.
  if (q.waiver && q.waiver->from <= q.on && q.on <= q.waiver->to) {
    d.waiver_scheme = q.waiver->name;
    for (const auto& l : d.lines) d.waiver_base += l.principal + l.surcharge;
    int64_t bp = 0;
    for (const auto& slab : q.waiver->slabs) {
      if (!slab.up_to || d.waiver_base <= *slab.up_to) {
        bp = slab.waiver_bp;
        break;
      }
    }
    for (auto& l : d.lines) {
      if (l.surcharge.IsZero()) continue;
      l.waiver_bp = bp;
      l.waiver = std::min(l.surcharge, BasisPointsOf(l.surcharge, bp, l.rounding));
    }
  }

  for (auto& l : d.lines) {
    l.net = l.principal - l.rebate + l.surcharge - l.waiver;
    d.principal += l.principal;
    d.rebate += l.rebate;
    d.surcharge += l.surcharge;
    d.waiver += l.waiver;
    d.net += l.net;
  }
  if (const RateTable* current = table_of(d.current)) {
    const RateTable& t = *current;
    if (t.rebate.bp + (q.online ? t.rebate.online_extra_bp : 0) > 0 && !t.rebate.heads.empty()) {
      d.rebate_deadline = EffectiveRebateDeadline(t, q.outages);
    }
  }
  return d;
}

json::object DuesToJson(const Dues& d) {
  json::array lines;
  for (const auto& l : d.lines) {
    lines.emplace_back(json::object{{"fy", l.fy.Format()},
                                    {"head", HeadCode(l.head)},
                                    {"arrear", l.arrear},
                                    {"principal_paise", l.principal.paise()},
                                    {"rebate_paise", l.rebate.paise()},
                                    {"surcharge_paise", l.surcharge.paise()},
                                    {"waiver_paise", l.waiver.paise()},
                                    {"net_paise", l.net.paise()},
                                    {"rebate_bp", l.rebate_bp},
                                    {"surcharge_bp", l.surcharge_bp},
                                    {"waiver_bp", l.waiver_bp}});
  }
  json::object out{{"on", d.on.Format()},
                   {"online", d.online},
                   {"fy", d.current.Format()},
                   {"lines", std::move(lines)},
                   {"principal_paise", d.principal.paise()},
                   {"rebate_paise", d.rebate.paise()},
                   {"surcharge_paise", d.surcharge.paise()},
                   {"waiver_paise", d.waiver.paise()},
                   {"net_paise", d.net.paise()}};
  if (d.rebate_deadline) out["rebate_deadline"] = d.rebate_deadline->Format();
  if (d.waiver_scheme) {
    out["waiver_scheme"] = *d.waiver_scheme;
    out["waiver_base_paise"] = d.waiver_base.paise();
  }
  return out;
}

}  // namespace palika::property_tax
