#include "services/property_tax/allocation.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "services/property_tax/rates_json.h"

namespace palika::property_tax {
namespace json = boost::json;
using detail::FieldError;
using detail::FieldReader;

namespace {

constexpr int64_t kMaxJsonPaise = INT64_MAX / 4;

Status NotPositive() {
  return Status::InvalidArgument("amount_not_positive",
                                 "The amount must be more than ₹0. Enter the amount received.",
                                 "राशि ₹0 से अधिक होनी चाहिए। प्राप्त राशि दर्ज करें।");
}

size_t Rank(const AllocationPolicy& policy, Head head) {
  return static_cast<size_t>(std::find(policy.head_order.begin(), policy.head_order.end(), head) -
                             policy.head_order.begin());
}

// Surcharge fixed by settling `settled` of a line's unpaid principal at the line's rate.
Money Levied(const DuesLine& l, Money settled) {
  return BasisPointsOf(l.principal, l.surcharge_bp, l.rounding) -
         BasisPointsOf(l.principal - settled, l.surcharge_bp, l.rounding);
}

AllocationLine Begin(const DuesLine& l) {
  AllocationLine a;
  a.fy = l.fy;
  a.head = l.head;
  a.surcharge_bp = l.surcharge_bp;
  return a;
}

bool Touched(const AllocationLine& a) {
  return !a.surcharge.IsZero() || !a.principal.IsZero() || !a.rebate.IsZero() || !a.waiver.IsZero();
}

Result<Allocation> AllocateNonNegative(const Dues& dues, Money amount,
                                       const AllocationPolicy& policy) {
  PALIKA_RETURN_IF_ERROR(ValidateAllocationPolicy(policy));
  Allocation out;
  out.on = dues.on;
  out.online = dues.online;
  out.amount = amount;

  // Settlement order: oldest year first, then the policy's head order.
  std::vector<const DuesLine*> order;
  for (const auto& l : dues.lines) order.push_back(&l);
  std::stable_sort(order.begin(), order.end(), [&](const DuesLine* x, const DuesLine* y) {
    if (x->fy != y->fy) return x->fy < y->fy;
    return Rank(policy, x->head) < Rank(policy, y->head);
  });

  if (amount >= dues.net) {
    // Clears everything on the date: the rebate and waiver offered are granted.
    out.settled_in_full = true;
    for (const DuesLine* l : order) {
      AllocationLine a = Begin(*l);
      a.surcharge = l->surcharge - l->waiver;
      a.principal = l->principal - l->rebate;
      a.rebate = l->rebate;
      a.rebate_bp = l->rebate.IsZero() ? 0 : l->rebate_bp;
      a.waiver = l->waiver;
      a.waiver_bp = l->waiver.IsZero() ? 0 : l->waiver_bp;
      a.surcharge_levied = Levied(*l, l->principal);
      if (Touched(a)) out.lines.push_back(a);
    }
    out.advance = amount - dues.net;
    return out;
  }

  // A part payment: face value, no rebate, no waiver.
  Money remaining = amount;
  auto take = [&remaining](Money outstanding) {
    const Money t = std::min(remaining, outstanding);
    remaining -= t;
    return t;
  };
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin;
    while (end < order.size() && order[end]->fy == order[begin]->fy) ++end;
    std::vector<AllocationLine> year;
    for (size_t i = begin; i < end; ++i) year.push_back(Begin(*order[i]));
    for (int pass = 0; pass < 2; ++pass) {
      const bool surcharge_pass = (pass == 0) == policy.surcharge_first;
      for (size_t i = begin; i < end; ++i) {
        AllocationLine& a = year[i - begin];
        if (surcharge_pass) {
          a.surcharge = take(order[i]->surcharge);
        } else {
          a.principal = take(order[i]->principal);
        }
      }
    }
    for (size_t i = begin; i < end; ++i) {
      AllocationLine& a = year[i - begin];
      a.surcharge_levied = Levied(*order[i], a.principal);
      if (Touched(a)) out.lines.push_back(a);
    }
    begin = end;
  }
  out.advance = remaining;  // zero: amount < dues.net <= everything outstanding
  return out;
}

}  // namespace

Status ValidateAllocationPolicy(const AllocationPolicy& policy) {
  std::set<Head> heads(policy.head_order.begin(), policy.head_order.end());
  bool known = true;
  for (Head h : policy.head_order) known = known && HeadFromCode(HeadCode(h)).has_value();
  if (heads.size() != kAllHeads.size() || !known) {
    return Status::InvalidArgument(
        "invalid_allocation_policy",
        "The allocation order must list each head (property tax, samekit kar, education cess, "
        "urban development cess) exactly once.",
        "आवंटन क्रम में हर शीर्ष (संपत्ति कर, समेकित कर, शिक्षा उपकर, नगरीय विकास उपकर) ठीक एक "
        "बार होना चाहिए।");
  }
  return Status::OK();
}

Result<Allocation> Allocate(const Dues& dues, Money amount, const AllocationPolicy& policy) {
  if (amount <= Money()) return NotPositive();
  return AllocateNonNegative(dues, amount, policy);
}

Result<Allocation> ApplyAdvance(const Dues& dues, Money advance, const AllocationPolicy& policy) {
  if (advance.IsNegative()) return NotPositive();
  if (advance.IsZero()) {
    PALIKA_RETURN_IF_ERROR(ValidateAllocationPolicy(policy));
    Allocation out;
    out.on = dues.on;
    out.online = dues.online;
    out.settled_in_full = dues.net.IsZero();
    return out;
  }
  return AllocateNonNegative(dues, advance, policy);
}

Status PostAllocation(const Allocation& allocation, std::vector<AccountLine>& account) {
  auto mismatch = [](const AllocationLine& l, std::string_view en, std::string_view hi) {
    return Status::InvalidArgument(
        "allocation_mismatch",
        fmt::format("The payment's allocation to {} {} does not fit the account: {}.",
                    l.fy.Format(), HeadName(l.head), en),
        fmt::format("{} {} में भुगतान का आवंटन खाते से मेल नहीं खाता: {}।", l.fy.Format(),
                    HeadNameHi(l.head), hi));
  };
  std::vector<AccountLine> updated = account;
  for (const auto& l : allocation.lines) {
    auto it = std::find_if(updated.begin(), updated.end(),
                           [&](const AccountLine& a) { return a.fy == l.fy && a.head == l.head; });
    if (it == updated.end()) return mismatch(l, "no such demand", "ऐसी कोई माँग नहीं है");
    for (Money m : {l.surcharge, l.principal, l.rebate, l.waiver, l.surcharge_levied}) {
      if (m.IsNegative()) return mismatch(l, "a negative amount", "ऋणात्मक राशि");
    }
    it->principal_paid += l.principal;
    it->rebate_granted += l.rebate;
    it->surcharge_levied += l.surcharge_levied;
    it->surcharge_paid += l.surcharge;
    it->surcharge_waived += l.waiver;
    if (it->principal_paid + it->rebate_granted > it->demanded) {
      return mismatch(l, "more settled than demanded", "माँग से अधिक निपटान");
    }
  }
  account = std::move(updated);
  return Status::OK();
}

json::object AllocationToJson(const Allocation& a) {
  json::array lines;
  for (const auto& l : a.lines) {
    lines.emplace_back(json::object{{"fy", l.fy.Format()},
                                    {"head", HeadCode(l.head)},
                                    {"surcharge_paise", l.surcharge.paise()},
                                    {"principal_paise", l.principal.paise()},
                                    {"rebate_paise", l.rebate.paise()},
                                    {"waiver_paise", l.waiver.paise()},
                                    {"surcharge_levied_paise", l.surcharge_levied.paise()},
                                    {"surcharge_bp", l.surcharge_bp},
                                    {"rebate_bp", l.rebate_bp},
                                    {"waiver_bp", l.waiver_bp}});
  }
  return json::object{{"on", a.on.Format()},
                      {"online", a.online},
                      {"amount_paise", a.amount.paise()},
                      {"settled_in_full", a.settled_in_full},
                      {"advance_paise", a.advance.paise()},
                      {"lines", std::move(lines)}};
}

Result<Allocation> AllocationFromJson(const json::object& obj) {
  FieldReader r(obj, "");
  Allocation a;
  PALIKA_ASSIGN_OR_RETURN(a.on, r.Date("on"));
  PALIKA_ASSIGN_OR_RETURN(a.online, r.Bool("online"));
  PALIKA_ASSIGN_OR_RETURN(int64_t amount, r.Int("amount_paise", 0, kMaxJsonPaise));
  a.amount = Money::FromPaise(amount);
  PALIKA_ASSIGN_OR_RETURN(a.settled_in_full, r.Bool("settled_in_full"));
  PALIKA_ASSIGN_OR_RETURN(int64_t advance, r.Int("advance_paise", 0, kMaxJsonPaise));
  a.advance = Money::FromPaise(advance);
  PALIKA_ASSIGN_OR_RETURN(const json::array* lines, r.Array("lines", 1000));
  Money paid = a.advance;
  for (size_t i = 0; i < lines->size(); ++i) {
    PALIKA_ASSIGN_OR_RETURN(const json::object* o, detail::ElementObject(*lines, i, "lines"));
    FieldReader e(*o, fmt::format("lines[{}]", i));
    AllocationLine l;
    PALIKA_ASSIGN_OR_RETURN(l.fy, e.Year("fy"));
    PALIKA_ASSIGN_OR_RETURN(std::string head, e.String("head", 40));
    auto h = HeadFromCode(head);
    if (!h) {
      return FieldError(e.Path("head"), "is not a known head.", "मान्य शीर्ष नहीं है।");
    }
    l.head = *h;
    auto money = [&e](std::string_view key) -> Result<Money> {
      PALIKA_ASSIGN_OR_RETURN(int64_t p, e.Int(key, 0, kMaxJsonPaise));
      return Money::FromPaise(p);
    };
    PALIKA_ASSIGN_OR_RETURN(l.surcharge, money("surcharge_paise"));
    PALIKA_ASSIGN_OR_RETURN(l.principal, money("principal_paise"));
    PALIKA_ASSIGN_OR_RETURN(l.rebate, money("rebate_paise"));
    PALIKA_ASSIGN_OR_RETURN(l.waiver, money("waiver_paise"));
    PALIKA_ASSIGN_OR_RETURN(l.surcharge_levied, money("surcharge_levied_paise"));
    PALIKA_ASSIGN_OR_RETURN(l.surcharge_bp, e.Int("surcharge_bp", 0, 10000));
    PALIKA_ASSIGN_OR_RETURN(l.rebate_bp, e.Int("rebate_bp", 0, 10000));
    PALIKA_ASSIGN_OR_RETURN(l.waiver_bp, e.Int("waiver_bp", 0, 10000));
    PALIKA_RETURN_IF_ERROR(e.Finish());
    // At most 1000 lines of at most INT64_MAX / 4 each: guard the running sum.
    auto sum = paid.CheckedAdd(l.Paid());
    if (!sum.ok()) return FieldError("lines", "add up to too much.", "का योग बहुत बड़ा है।");
    paid = *sum;
    a.lines.push_back(l);
  }
  PALIKA_RETURN_IF_ERROR(r.Finish());
  if (paid != a.amount) {
    return FieldError("amount_paise", "must equal the lines paid plus the advance.",
                      "पंक्तियों में भुगतान और अग्रिम के योग के बराबर होना चाहिए।");
  }
  return a;
}

}  // namespace palika::property_tax
