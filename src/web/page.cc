#include "web/page.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "core/encoding.h"
#include "http/api_error.h"
#include "web/assets.h"

namespace palika::web {
namespace mustache = kainjow::mustache;

namespace {

// The catalogue as a template object ("t"), built once per language.
const Data& CatalogData(Lang lang) {
  static const auto build = [](Lang l) {
    Data t;
    for (const auto& [key, text] : CatalogFor(l).entries()) t.set(key, text);
    return t;
  };
  static const Data hi = build(Lang::kHi);
  static const Data en = build(Lang::kEn);
  return lang == Lang::kEn ? en : hi;
}

std::string Template(std::string_view name) {
  auto text = Asset("templates/" + std::string(name) + ".html");
  if (!text) {
    spdlog::error("web: no template templates/{}.html", name);
    return {};
  }
  return std::string(*text);
}

// Renders a template; its partials ({{> part_x}}) are the templates named part_*.html.
std::string Render(std::string_view name, Data& data) {
  mustache::mustache tmpl(Template(name));
  if (!tmpl.is_valid()) {
    spdlog::error("web: template {} does not parse: {}", name, tmpl.error_message());
    return {};
  }
  for (const auto& [path, text] : Assets()) {
    constexpr std::string_view kPrefix = "templates/part_";
    if (!path.starts_with(kPrefix) || !path.ends_with(".html")) continue;
    const std::string_view partial_name = path.substr(10, path.size() - 10 - 5);
    data.set(std::string(partial_name),
             mustache::partial([text = text] { return std::string(text); }));
  }
  return tmpl.render(data);
}

}  // namespace

Env MakeEnv(const http::Request& req, const WebOptions& options) {
  Env env;
  env.options = &options;
  env.lang = req.Cookie(kLangCookie).value_or("") == "en" ? Lang::kEn : Lang::kHi;
  auto csrf = req.Cookie(kCsrfCookie);
  if (csrf && csrf->size() == 64 && HexDecode(*csrf)) {
    env.csrf = *csrf;
  } else {
    env.csrf = NewToken();
    env.new_csrf = true;
    env.set_cookies.push_back(CookieValue(options, kCsrfCookie, env.csrf, -1));
  }
  env.target = req.target;
  return env;
}

std::string CookieValue(const WebOptions& options, std::string_view name, std::string_view value,
                        int64_t max_age_seconds) {
  std::string out = std::string(name) + "=" + std::string(value) + "; Path=/";
  if (max_age_seconds >= 0) out += "; Max-Age=" + std::to_string(max_age_seconds);
  out += "; HttpOnly; SameSite=Strict";
  if (options.secure_cookies) out += "; Secure";
  return out;
}

http::Response RenderPage(const Env& env, int status, std::string_view name, Data data,
                          const std::string& title) {
  const Data& t = CatalogData(env.lang);
  data.set("t", t);
  data.set("csrf", env.csrf);
  std::string body = Render(name, data);

  Data layout;
  layout.set("t", t);
  layout.set("lang", std::string(LangCode(env.lang)));
  layout.set("title", title);
  layout.set("body", body);
  layout.set("csrf", env.csrf);
  if (env.refresh_seconds > 0) layout.set("refresh", std::to_string(env.refresh_seconds));
  const Lang other = env.lang == Lang::kEn ? Lang::kHi : Lang::kEn;
  layout.set("other_lang", std::string(LangCode(other)));
  layout.set("other_lang_name", Text(other, "lang_name"));
  layout.set("toggle_url",
             "/lang?to=" + std::string(LangCode(other)) + "&back=" + UrlEncode(env.target));
  if (env.staff != nullptr) {
    Data staff;
    staff.set("name",
              env.staff->display_name.empty() ? env.staff->username : env.staff->display_name);
    staff.set("username", env.staff->username);
    layout.set("staff", staff);
  }
  http::Response r =
      http::Response::Text(status, Render("layout", layout), "text/html; charset=utf-8");
  // Pages show personal or current data (dues, a session): never cached.
  r.With("Cache-Control", "no-store");
  for (const auto& c : env.set_cookies) r.With("Set-Cookie", c);
  return r;
}

http::Response ErrorPage(const Env& env, int status, const std::string& message) {
  Data data;
  data.set("message", message);
  const std::string heading_key = status == 403   ? "error_forbidden"
                                  : status == 404 ? "error_not_found"
                                  : status >= 500 ? "error_internal"
                                                  : "error_heading";
  data.set("heading", Text(env.lang, heading_key));
  return RenderPage(env, status, "error", std::move(data), Text(env.lang, heading_key));
}

http::Response StatusPage(const Env& env, const Status& status) {
  int code = http::HttpStatusFor(status.kind());
  if (code >= 500) {
    spdlog::error("web: {}", status.ToString());
    return ErrorPage(env, code, StatusText(env.lang, http::PublicInternalError()));
  }
  return ErrorPage(env, code, StatusText(env.lang, status));
}

Result<Form> ParseForm(const http::Request& req) {
  const std::string type = req.Header("content-type").value_or("");
  if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return Status::InvalidArgument("not_a_form",
                                   "This address takes a form sent from Palika's own pages.",
                                   "यह पता केवल पालिका के अपने पृष्ठों से भेजा गया फ़ॉर्म स्वीकार करता है।");
  }
  return http::ParseUrlEncoded(req.body);
}

std::string Field(const Form& form, std::string_view name) {
  auto it = form.find(std::string(name));
  return it == form.end() ? std::string() : it->second;
}

bool CsrfValid(const http::Request& req, const Form& form) {
  auto cookie = req.Cookie(kCsrfCookie);
  const std::string field = Field(form, "csrf");
  if (!cookie || cookie->size() != 64 || field.size() != cookie->size()) return false;
  return sodium_memcmp(cookie->data(), field.data(), field.size()) == 0;
}

http::Response CsrfRefused(const Env& env) {
  return ErrorPage(env, 403, Text(env.lang, "error_csrf"));
}

std::string NewToken() { return HexEncode(RandomBytes(32)); }

std::string PercentText(int64_t bp) {
  std::string out = std::to_string(bp / 100);
  int64_t frac = bp % 100;
  if (frac != 0) {
    out += '.';
    out += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) out += static_cast<char>('0' + frac % 10);
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace palika::web
