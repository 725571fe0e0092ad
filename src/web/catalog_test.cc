#include "web/catalog.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "web/assets.h"
#include "web/page.h"

namespace palika::web {
namespace {

std::set<std::string> Keys(const Catalog& c) {
  std::set<std::string> out;
  for (const auto& [k, v] : c.entries()) out.insert(k);
  return out;
}

TEST(WebCatalog, HindiAndEnglishHaveTheSameKeys) {
  const Catalog& hi = CatalogFor(Lang::kHi);
  const Catalog& en = CatalogFor(Lang::kEn);
  EXPECT_GT(en.entries().size(), 100u);
  EXPECT_EQ(Keys(hi), Keys(en));
  for (const auto& [key, text] : hi.entries()) EXPECT_FALSE(text.empty()) << "hi: " << key;
  for (const auto& [key, text] : en.entries()) EXPECT_FALSE(text.empty()) << "en: " << key;
  // The Hindi catalogue is Hindi: its sign-in heading is in Devanagari.
  EXPECT_EQ(*hi.Find("sign_in_heading"), "कर्मचारी साइन-इन");
}

TEST(WebCatalog, EveryKeyATemplateUsesExists) {
  const std::regex key_use(R"(\{\{[#^/]?t\.([a-z0-9_]+)\}\})");
  int templates = 0;
  for (const auto& [path, text] : Assets()) {
    if (!path.starts_with("templates/")) continue;
    ++templates;
    const std::string body(text);
    for (std::sregex_iterator it(body.begin(), body.end(), key_use), end; it != end; ++it) {
      const std::string key = (*it)[1];
      EXPECT_NE(CatalogFor(Lang::kHi).Find(key), nullptr) << path << ": " << key;
    }
  }
  EXPECT_GT(templates, 10);
}

TEST(WebCatalog, TextFillsPlaceholders) {
  EXPECT_EQ(Text(Lang::kEn, "property_title", {{"id", "03-000123"}}), "Property 03-000123");
  EXPECT_EQ(Text(Lang::kHi, "property_title", {{"id", "03-000123"}}), "संपत्ति 03-000123");
  // An unknown placeholder stays as written; an unknown key shows itself.
  EXPECT_EQ(Text(Lang::kEn, "property_title"), "Property {id}");
  EXPECT_EQ(Text(Lang::kEn, "no_such_key"), "no_such_key");
}

TEST(WebCatalog, ParseRefusesBrokenLines) {
  EXPECT_TRUE(Catalog::Parse("# c\n\na = b\nc_d=  e f \n").ok());
  EXPECT_EQ(*Catalog::Parse("c_d=  e f \n")->Find("c_d"), "e f");
  EXPECT_FALSE(Catalog::Parse("just text\n").ok());
  EXPECT_FALSE(Catalog::Parse("Bad-Key = x\n").ok());
  auto twice = Catalog::Parse("a = 1\na = 2\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("line 2"), std::string::npos);
}

TEST(WebPage, Helpers) {
  EXPECT_EQ(PercentText(625), "6.25");
  EXPECT_EQ(PercentText(500), "5");
  EXPECT_EQ(PercentText(1050), "10.5");
  EXPECT_EQ(UrlEncode("/u/0152?q=शर्मा&x"),
            "%2Fu%2F0152%3Fq%3D%E0%A4%B6%E0%A4%B0%E0%A5%8D%E0%A4%AE%E0%A4%BE%26x");
  EXPECT_EQ(NewToken().size(), 64u);
  EXPECT_NE(NewToken(), NewToken());
  WebOptions plain, secure;
  secure.secure_cookies = true;
  EXPECT_EQ(CookieValue(plain, "palika_csrf", "ab", -1),
            "palika_csrf=ab; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(CookieValue(secure, "palika_lang", "en", 60),
            "palika_lang=en; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
}

TEST(WebAssets, StylesheetAndTemplatesAreEmbedded) {
  ASSERT_TRUE(Asset("static/palika.css").has_value());
  ASSERT_TRUE(Asset("templates/layout.html").has_value());
  EXPECT_FALSE(Asset("templates/nope.html").has_value());
  // No inline style or script: the server's CSP (default-src 'self') would block them.
  // The one script is the static file palika.js, loaded by the layout.
  constexpr std::string_view kScript = "<script src=\"/static/palika.js\" defer></script>";
  ASSERT_TRUE(Asset("static/palika.js").has_value());
  for (const auto& [path, asset] : Assets()) {
    if (!path.starts_with("templates/")) continue;
    std::string text(asset);
    if (auto at = text.find(kScript); at != std::string::npos) text.erase(at, kScript.size());
    for (std::string_view banned : {"<script", "style=", "<style", "http://", "https://"}) {
      EXPECT_EQ(text.find(banned), std::string::npos) << path << ": " << banned;
    }
  }
}

}  // namespace
}  // namespace palika::web
