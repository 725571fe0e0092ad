// What the citizen and staff pages share: a ULB from the path, property and dues as template
// data, payments, the property search and receipt PDFs. Data shaping only: the rules are the
// services'.

#include <fmt/format.h>

#include "core/civil_date.h"
#include "core/ids.h"
#include "http/api/payment_api.h"
#include "services/payments/receipt_numbers.h"
#include "services/property_tax/rates.h"
#include "web/routes.h"

namespace palika::web::detail {

namespace {

std::string Pick(Lang lang, const std::string& en, const std::string& hi) {
  return lang == Lang::kHi && !hi.empty() ? hi : en;
}

std::string HeadText(Lang lang, property_tax::Head head) {
  return std::string(lang == Lang::kHi ? property_tax::HeadNameHi(head)
                                       : property_tax::HeadName(head));
}

}  // namespace

void AddPage(http::Router& router, Site& site, std::string method, std::string_view pattern,
             PageHandler handler) {
  router.Add(std::move(method), pattern,
             [&site, handler = std::move(handler)](http::Request& req) -> http::Response {
               Env env = MakeEnv(req, site.options);
               return handler(site, req, env);
             });
}

Result<registry::UlbInfo> UlbOf(Site& site, const http::Request& req) {
  const std::string code = req.Param("ulb");
  if (!IsValidUlbCode(code)) {
    return Status::NotFound("ulb_not_found", "There is no ULB '" + code + "'.",
                            "'" + code + "' नाम का कोई नगरीय निकाय नहीं है।");
  }
  return site.api.registry.GetUlb(code);
}

std::string UlbName(Lang lang, const registry::UlbInfo& ulb) {
  return Pick(lang, ulb.name, ulb.name_hi);
}

std::string OwnerNames(Lang lang, const std::vector<property_tax::Owner>& owners) {
  std::string out;
  for (const auto& o : owners) {
    if (!out.empty()) out += ", ";
    out += Pick(lang, o.name, o.name_hi);
  }
  return out;
}

Data PropertySummaryData(Lang lang, const property_tax::PropertySummary& s,
                         const std::string& link_prefix) {
  Data d;
  d.set("id", s.id);
  d.set("url", link_prefix + s.id);
  d.set("owners", OwnerNames(lang, s.owners));
  d.set("address", Pick(lang, s.address, s.address_hi));
  d.set("ward", std::to_string(s.ward));
  return d;
}

Data PropertyData(Lang lang, const property_tax::Property& p) {
  Data d;
  d.set("id", p.id);
  d.set("owners", OwnerNames(lang, p.details.owners));
  d.set("address", Pick(lang, p.details.address, p.details.address_hi));
  d.set("ward", std::to_string(p.details.ward));
  return d;
}

Data DuesData(Lang lang, const property_tax::Dues& dues) {
  Data d;
  d.set("on", dues.on.FormatIndian());
  Data lines{Data::type::list};
  bool any_surcharge = false;
  for (const auto& l : dues.lines) {
    Data line;
    line.set("fy", l.fy.Format());
    line.set("head", HeadText(lang, l.head));
    line.set("arrear", l.arrear);
    line.set("principal", l.principal.Format());
    line.set("rebate", l.rebate.IsZero() ? std::string() : "−" + l.rebate.Format());
    line.set("surcharge", l.surcharge.IsZero() ? std::string() : l.surcharge.Format());
    line.set("waiver", l.waiver.IsZero() ? std::string() : "−" + l.waiver.Format());
    line.set("net", l.net.Format());
    if (!l.surcharge.IsZero()) {
      any_surcharge = true;
      line.set("surcharge_rate", PercentText(l.surcharge_bp));
    }
    lines.push_back(line);
  }
  d.set("lines", lines);
  d.set("has_lines", !dues.lines.empty());
  d.set("nothing_due", dues.lines.empty() || dues.net.IsZero());
  d.set("principal", dues.principal.Format());
  d.set("rebate", dues.rebate.Format());
  d.set("surcharge", dues.surcharge.Format());
  d.set("waiver", dues.waiver.Format());
  d.set("net", dues.net.Format());
  d.set("net_plain", dues.net.FormatPlain());

  // Why the total is what it is: the rebate offered (and until when), the surcharge, the waiver.
  Data notes{Data::type::list};
  auto note = [&](std::string text) {
    Data n;
    n.set("text", std::move(text));
    notes.push_back(n);
  };
  if (dues.rebate_deadline) {
    const std::string deadline = dues.rebate_deadline->FormatIndian();
    if (!dues.rebate.IsZero()) {
      int64_t bp = 0;
      for (const auto& l : dues.lines) bp = std::max(bp, l.rebate_bp);
      note(Text(lang, "dues_rebate_offer",
                {{"rate", PercentText(bp)},
                 {"rebate", dues.rebate.Format()},
                 {"deadline", deadline},
                 {"net", dues.net.Format()}}));
    } else if (dues.on > *dues.rebate_deadline) {
      note(Text(lang, "dues_rebate_passed", {{"deadline", deadline}}));
    }
  }
  if (any_surcharge) {
    for (const auto& l : dues.lines) {
      if (l.surcharge.IsZero()) continue;
      note(Text(lang, "dues_surcharge_line",
                {{"fy", l.fy.Format()},
                 {"head", HeadText(lang, l.head)},
                 {"rate", PercentText(l.surcharge_bp)},
                 {"amount", l.surcharge.Format()}}));
    }
  }
  if (dues.waiver_scheme && !dues.waiver.IsZero()) {
    note(Text(lang, "dues_waiver",
              {{"scheme", *dues.waiver_scheme}, {"waiver", dues.waiver.Format()}}));
  }
  d.set("notes", notes);
  return d;
}

Data PaymentData(Lang lang, const payments::PaymentRecord& p, const std::string& pdf_prefix) {
  Data d;
  d.set("receipt_no", p.receipt_no);
  d.set("url_no", http::ReceiptNoInUrl(p.receipt_no));
  d.set("date", p.date.FormatIndian());
  d.set("amount", p.amount.Format());
  d.set("mode", Text(lang, "mode_" + p.mode));
  // kainjow treats an empty string as true in a section: optional values are left unset.
  if (!p.reference.empty()) d.set("reference", p.reference);
  d.set("payer", Pick(lang, p.payer_name, p.payer_name_hi));
  d.set("counter", p.counter);
  d.set("cashier", p.cashier_name);
  d.set("property_id", p.property_id);
  d.set("reversed", p.status == "reversed");
  d.set("pdf_url", pdf_prefix + http::ReceiptNoInUrl(p.receipt_no) + ".pdf");
  Data lines{Data::type::list};
  for (const auto& l : p.allocation.lines) {
    Data line;
    line.set("fy", l.fy.Format());
    line.set("head", HeadText(lang, l.head));
    line.set("principal", l.principal.Format());
    line.set("surcharge", l.surcharge.IsZero() ? std::string() : l.surcharge.Format());
    lines.push_back(line);
  }
  d.set("lines", lines);
  if (!p.advance.IsZero()) d.set("advance", p.advance.Format());
  return d;
}

namespace {

// A Devanagari sign that belongs to the letter before it (vowel signs, virama, nukta,
// candrabindu, anusvara, visarga): U+0900-0903, U+093A-094F, U+0951-0957, U+0962-0963.
bool IsDevanagariSign(char32_t c) {
  return (c >= 0x900 && c <= 0x903) || (c >= 0x93a && c <= 0x94f) || (c >= 0x951 && c <= 0x957) ||
         c == 0x962 || c == 0x963;
}

// The code point at s[i] and its length in bytes (s is valid UTF-8).
std::pair<char32_t, size_t> CodePointAt(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
  if (i + n > s.size()) n = s.size() - i;
  char32_t c = n == 1 ? b : b & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  return {c, n};
}

Data PublicSummaryData(Lang lang, const property_tax::PropertySummary& s,
                       const std::string& link_prefix) {
  Data d = PropertySummaryData(lang, s, link_prefix);
  std::string owners, mobiles;
  for (const auto& o : s.owners) {
    if (!owners.empty()) owners += ", ";
    owners += MaskedName(lang == Lang::kHi && !o.name_hi.empty() ? o.name_hi : o.name);
    if (o.mobile.empty()) continue;
    if (!mobiles.empty()) mobiles += ", ";
    mobiles += o.mobile;  // masked by the public search
  }
  d.set("owners", owners);
  if (!mobiles.empty()) d.set("mobile", mobiles);
  return d;
}

}  // namespace

std::string MaskedName(std::string_view name) {
  std::string out;
  size_t i = 0;
  while (i < name.size()) {
    while (i < name.size() && name[i] == ' ') ++i;
    if (i >= name.size()) break;
    if (!out.empty()) out += ' ';
    // The first letter with the signs that belong to it, then the rest hidden.
    auto [c, n] = CodePointAt(name, i);
    out.append(name.substr(i, n));
    i += n;
    while (i < name.size()) {
      auto [sign, m] = CodePointAt(name, i);
      if (!IsDevanagariSign(sign)) break;
      out.append(name.substr(i, m));
      i += m;
    }
    (void)c;
    out += "***";
    while (i < name.size() && name[i] != ' ') ++i;
  }
  return out;
}

Data PublicPropertyData(Lang lang, const property_tax::Property& p) {
  Data d = PropertyData(lang, p);
  std::string owners;
  for (const auto& o : p.details.owners) {
    if (!owners.empty()) owners += ", ";
    owners += MaskedName(lang == Lang::kHi && !o.name_hi.empty() ? o.name_hi : o.name);
  }
  d.set("owners", owners);
  return d;
}

void SearchInto(Site& site, const http::Request& req, Lang lang, const std::string& ulb,
                const std::string& link_prefix, const std::string& page_path, Data& data,
                bool public_view) {
  const std::string q = req.Query("q").value_or("");
  data.set("q", q);
  if (q.empty()) return;
  property_tax::SearchQuery query;
  query.q = q;
  query.after = req.Query("after").value_or("");
  query.limit = 20;
  query.public_view = public_view;
  auto page = property_tax::PropertyRegister(site.api.ledgers).Search(ulb, query);
  data.set("searched", true);
  if (!page.ok()) {
    data.set("error", StatusText(lang, page.status()));
    return;
  }
  Data results{Data::type::list};
  for (const auto& s : page->properties) {
    results.push_back(public_view ? PublicSummaryData(lang, s, link_prefix)
                                  : PropertySummaryData(lang, s, link_prefix));
  }
  data.set("results", results);
  data.set("no_results", page->properties.empty());
  if (!page->next_after.empty()) {
    data.set("next_url", page_path + "?q=" + UrlEncode(q) + "&after=" + page->next_after);
  }
}

http::Response ReceiptRefused(const Env& env) {
  return ErrorPage(env, 404, Text(env.lang, "receipt_refused"));
}

http::Response ReceiptPdf(Site& site, const http::Request& req, Env& env, const std::string& ulb,
                          bool attachment, const std::string* property_id) {
  std::string text = req.Param("no");
  if (text.ends_with(".pdf")) text.resize(text.size() - 4);
  auto no = payments::ParseReceiptNo(text);
  if (!no.ok()) return StatusPage(env, no.status());
  auto p = payments::Payments(site.api.ledgers).Get(ulb, no->Format());
  if (property_id != nullptr) {
    // One answer for "no such receipt" and "not this property's": no oracle for counting.
    if (!p.ok() || p->property_id != *property_id) return ReceiptRefused(env);
  }
  if (!p.ok()) return StatusPage(env, p.status());
  const std::string layout = req.Query("layout").value_or("a4");
  if (layout != "a4" && layout != "thermal") {
    return ErrorPage(env, 400, Text(env.lang, "error_layout"));
  }
  auto bytes = http::ReceiptPdfOf(
      *p, site.api.ledgers.node_signer(),
      layout == "thermal" ? documents::Layout::kThermal80mm : documents::Layout::kA4);
  if (!bytes.ok()) return StatusPage(env, bytes.status());
  http::Response r = http::Response::Text(200, std::move(*bytes), "application/pdf");
  r.With("Content-Disposition", std::string(attachment ? "attachment" : "inline") +
                                    "; filename=\"receipt-" + http::ReceiptNoInUrl(p->receipt_no) +
                                    ".pdf\"");
  r.With("Cache-Control", "no-store");
  return r;
}

std::string PublicReceiptPdfUrl(const std::string& ulb, const std::string& property_id,
                                const std::string& receipt_no) {
  return "/u/" + ulb + "/p/" + property_id + "/receipts/" + http::ReceiptNoInUrl(receipt_no) +
         ".pdf";
}

}  // namespace palika::web::detail
