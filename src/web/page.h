#pragma once
// What every web page shares: the browser's language and CSRF token (both cookies), rendering a
// template inside the layout with the catalogue of that language, error pages in that language,
// and the cookies themselves. docs/web.md explains the cookie and CSRF design.
//
// Cookies (all Path=/, SameSite=Strict, and Secure when WebOptions::secure_cookies):
//   palika_lang   "hi" | "en", one year; not HttpOnly-sensitive but set HttpOnly anyway
//   palika_csrf   32 random bytes (hex), HttpOnly; every POST form carries the same value in a
//                 hidden field "csrf" (double submit), and a POST without it or with another is
//                 refused (403) before anything else is read
//   palika_staff  a staff session token (registry::Sessions), HttpOnly, until the browser closes
// Thread-safe: pure functions of their arguments.

#include <kainjow/mustache.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/request.h"
#include "http/response.h"
#include "services/identity/access.h"
#include "web/catalog.h"

namespace palika::payments {
class OnlinePayments;
class SandboxGateway;
}  // namespace palika::payments

namespace palika::web {

using Data = kainjow::mustache::data;
using Form = std::multimap<std::string, std::string>;

inline constexpr char kLangCookie[] = "palika_lang";
inline constexpr char kCsrfCookie[] = "palika_csrf";
inline constexpr char kStaffCookie[] = "palika_staff";

struct WebOptions {
  // Mark every cookie Secure: on whenever browsers reach Palika over HTTPS (directly or through a
  // TLS-terminating proxy). Off for plain http://127.0.0.1 (`make run`), where browsers would
  // drop Secure cookies.
  bool secure_cookies = false;
  // Online payment (docs/web.md): off when null. The sandbox gateway's pages are served when
  // `sandbox` is set. Both are owned by the caller and outlive the Web.
  payments::OnlinePayments* online = nullptr;
  payments::SandboxGateway* sandbox = nullptr;
};

// The request as a page sees it.
struct Env {
  const WebOptions* options = nullptr;
  Lang lang = Lang::kHi;
  std::string csrf;                            // the browser's token: from its cookie, or new
  bool new_csrf = false;                       // the response must set the cookie
  std::string target;                          // path and query, for the language toggle's way back
  const identity::Principal* staff = nullptr;  // on staff pages: who is signed in
  std::vector<std::string> set_cookies;        // Set-Cookie values to send
  int refresh_seconds = 0;  // > 0: the page reloads itself (<meta http-equiv="refresh">)
};

Env MakeEnv(const http::Request& req, const WebOptions& options);

// A Set-Cookie value. max_age_seconds < 0: a session cookie; 0: delete it.
std::string CookieValue(const WebOptions& options, std::string_view name, std::string_view value,
                        int64_t max_age_seconds);

// templates/<name>.html rendered with `data` (plus "t", the catalogue, and the page basics), put
// inside templates/layout.html, as an HTML response with its cookies and no-store.
http::Response RenderPage(const Env& env, int status, std::string_view name, Data data,
                          const std::string& title);

// The error page: a heading and what to do, in the user's language, with `status`.
http::Response ErrorPage(const Env& env, int status, const std::string& message);
// The error page of a Status (HTTP status from http::HttpStatusFor; internal details are never
// shown, a generic message is).
http::Response StatusPage(const Env& env, const Status& status);

// The body of a POST form (application/x-www-form-urlencoded); InvalidArgument otherwise.
Result<Form> ParseForm(const http::Request& req);
// The first value of a form field, "" if absent.
std::string Field(const Form& form, std::string_view name);
// True if the form's "csrf" field equals the browser's palika_csrf cookie (constant time).
bool CsrfValid(const http::Request& req, const Form& form);
// The 403 page for a form whose CSRF token is missing or wrong.
http::Response CsrfRefused(const Env& env);

// 32 random bytes as hex: CSRF tokens, idempotency keys of forms.
std::string NewToken();
// 625 basis points -> "6.25"; 500 -> "5".
std::string PercentText(int64_t basis_points);
// Percent-encodes everything but unreserved characters (for query values and path segments).
std::string UrlEncode(std::string_view text);

}  // namespace palika::web
