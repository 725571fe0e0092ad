#pragma once
// Internal to src/web: the route groups and what their pages share.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "http/api/api.h"
#include "http/api/payment_api.h"
#include "http/router.h"
#include "services/payments/payments.h"
#include "services/property_tax/dues.h"
#include "services/property_tax/register.h"
#include "services/registry/registry.h"
#include "web/demand_jobs.h"
#include "web/page.h"

namespace palika::web::detail {

// Everything a page handler needs.
struct Site {
  http::ApiContext& api;
  WebOptions options;
  std::unique_ptr<DemandJobs> demand_jobs;  // the back office's demand runs
};

using PageHandler = std::function<http::Response(Site&, http::Request&, Env&)>;

// Registers a page: the handler gets the request's Env (language, CSRF token).
void AddPage(http::Router& router, Site& site, std::string method, std::string_view pattern,
             PageHandler handler);

void AddCitizenPages(http::Router& router, Site& site);
void AddStaffPages(http::Router& router, Site& site);
void AddVerifyPage(http::Router& router, Site& site);
void AddReportPages(http::Router& router, Site& site);    // reports.cc
void AddDashboardPage(http::Router& router, Site& site);  // dashboard.cc
inline constexpr char kDashboardPath[] = "/state";

// The staff home's links to the reports of each ULB where `who` may read the accounts and to the
// state dashboard ("report_ulbs", "dashboard_url"); true if there is any.
bool ReportLinksInto(Site& site, const identity::Principal& who, Lang lang, Data& data);

// The signed-in staff member, or the page to answer instead: the sign-in page (401) saying why
// (the session timed out after 15 idle minutes, or there is none).
std::variant<identity::Principal, http::Response> SignedIn(Site& site, const http::Request& req,
                                                           Env& env);
// Online payment: start, the gateway's return, the outcome page (online.cc); the sandbox
// gateway's own pages (sandbox_gateway.cc), added only when the sandbox is on.
void AddOnlinePayPages(http::Router& router, Site& site);
void AddSandboxGatewayPages(http::Router& router, Site& site);
// The property page's "Pay online" form ("pay_online": amount, url, note) when online payment
// is on and the property has dues today (with the online rebate).
void OnlinePayInto(Site& site, Env& env, const std::string& ulb, const std::string& property_id,
                   Data& data);
// The back office: staff home, property register, assessment returns, demand, the ULB's users.
void AddOfficePages(http::Router& router, Site& site);
void AddOfficeAdminPages(http::Router& router, Site& site);

// A back-office page's checks: signed in, the ULB of the path exists, and the user holds
// `permission` there (through identity::Authorize, as the API); the 401 / 404 / 403 page otherwise.
struct Office {
  identity::Principal who;
  registry::UlbInfo ulb;
};
// `refusal_key`: the catalogue's message of the 403 page ({ulb} is filled in).
std::variant<Office, http::Response> OfficeOf(Site& site, const http::Request& req, Env& env,
                                              identity::Permission permission,
                                              std::string_view refusal_key = "error_no_permission");
// A back-office page's handler, called only once its checks have passed: for a POST the form is
// parsed and its CSRF token checked first (403 before anything else is read), then OfficeOf;
// env.staff is the signed-in user. `form` is empty for a GET.
using OfficeHandler =
    std::function<http::Response(Site&, http::Request&, Env&, const Office&, const Form&)>;
// Registers a back-office page that needs `permission` on the ULB of its path.
void AddOfficePage(http::Router& router, Site& site, std::string method, std::string_view pattern,
                   identity::Permission permission, OfficeHandler handler);
// Registers a counter page: payment.collect on the ULB of its path, and the counter's own 403
// message ("you have no counter in {ulb}").
void AddCounterPage(http::Router& router, Site& site, std::string method, std::string_view pattern,
                    OfficeHandler handler);
// The data every back-office page starts with: the ULB, its base path and the links of the
// sections the user's roles allow ("nav").
Data OfficeData(const Env& env, const Office& o);
// The staff member's name as receipts and pages show it.
std::string StaffName(const identity::Principal& who);

// The /verify page of a checked code (public for the unit test).
http::Response VerifyPage(const Env& env, const http::ReceiptVerification& v);

// The ULB of the path's {ulb}, or the 404 / 400 page to answer instead.
Result<registry::UlbInfo> UlbOf(Site& site, const http::Request& req);
// The ULB's name in the page's language.
std::string UlbName(Lang lang, const registry::UlbInfo& ulb);
// "Owner One, Owner Two" in the page's language.
std::string OwnerNames(Lang lang, const std::vector<property_tax::Owner>& owners);
// The property summary a result list shows, linking to `link_prefix` + id.
Data PropertySummaryData(Lang lang, const property_tax::PropertySummary& s,
                         const std::string& link_prefix);
// The "dues" partial's data: lines, totals, and the rebate / surcharge / waiver explained.
Data DuesData(Lang lang, const property_tax::Dues& dues);
// A property's header (id, owners, address, ward).
Data PropertyData(Lang lang, const property_tax::Property& p);
// A recorded payment for lists and the receipt page; pdf_prefix + number-in-url + ".pdf".
Data PaymentData(Lang lang, const payments::PaymentRecord& p, const std::string& pdf_prefix);
// Runs the property search of the "q" and "after" query parameters into data ("searched",
// "results", "no_results", "next_url"), links to link_prefix + id. A bad query becomes "error".
// public_view (the citizen portal): owners masked, mobiles masked, numbers matched only whole
// (docs/web.md "Privacy of the public search").
void SearchInto(Site& site, const http::Request& req, Lang lang, const std::string& ulb,
                const std::string& link_prefix, const std::string& page_path, Data& data,
                bool public_view = false);

// What the public pages show of a name: each word as its first letter (with its vowel signs)
// and "***" ("Narendra Patidar" -> "N*** P***", "नरेंद्र" -> "न***"). Mobiles: the search masks
// them (property_tax::MaskedMobile).
std::string MaskedName(std::string_view name);
// PropertyData with the owners' names masked (the citizen's property page).
Data PublicPropertyData(Lang lang, const property_tax::Property& p);
// The PDF of a receipt in the path's {no} (with or without ".pdf"), layout from ?layout=; as an
// attachment (a download) or inline (to print from the browser's viewer). With property_id (the
// public download): only if the receipt is that property's, otherwise ReceiptRefused, the same
// page whether or not the receipt exists, so that counting receipt numbers finds nothing.
http::Response ReceiptPdf(Site& site, const http::Request& req, Env& env, const std::string& ulb,
                          bool attachment, const std::string* property_id = nullptr);
// The public download's refusal (404): both the property id and the receipt number are needed,
// as printed on the receipt.
http::Response ReceiptRefused(const Env& env);
// Where a citizen downloads a receipt: /u/{ulb}/p/{property id}/receipts/{no}.pdf.
std::string PublicReceiptPdfUrl(const std::string& ulb, const std::string& property_id,
                                const std::string& receipt_no);

}  // namespace palika::web::detail
