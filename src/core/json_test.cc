#include "core/json.h"

#include <gtest/gtest.h>

#include <string>

namespace palika {
namespace {

namespace json = boost::json;

std::string Canon(const json::value& v) {
  auto r = CanonicalJson(v);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

std::string Nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  for (int i = 0; i < depth; ++i) s += "}";
  return s;
}

TEST(CanonicalJson, SortsKeysAndWritesNoSpaces) {
  json::value v = json::parse(R"({ "b" : 1, "a" : { "d" : [3, {"z": null, "y": true}], "c": "x" },
                                   "B": false, "aa": -7 })");
  EXPECT_EQ(Canon(v), R"({"B":false,"a":{"c":"x","d":[3,{"y":true,"z":null}]},"aa":-7,"b":1})");
  EXPECT_EQ(Canon(json::object{}), "{}");
  EXPECT_EQ(Canon(json::array{}), "[]");
  // The order the object was built in does not matter.
  json::object x{{"code", "0152"}, {"amount_paise", 150000}};
  json::object y{{"amount_paise", 150000}, {"code", "0152"}};
  EXPECT_EQ(Canon(x), Canon(y));
  EXPECT_EQ(Canon(x), R"({"amount_paise":150000,"code":"0152"})");
}

TEST(CanonicalJson, WritesIntegersExactly) {
  EXPECT_EQ(Canon(json::value(int64_t{-9223372036854775807LL - 1})), "-9223372036854775808");
  EXPECT_EQ(Canon(json::value(uint64_t{18446744073709551615ULL})), "18446744073709551615");
  EXPECT_EQ(Canon(json::value(0)), "0");
}

TEST(CanonicalJson, EscapesControlCharactersAsUnicodeEscapes) {
  const std::string in = std::string("a\x01 b\x1f\"q\"\\/") + '\0' + "\n\t\r\b\f\x7f";
  EXPECT_EQ(Canon(json::value(in)),
            "\"a\\u0001 b\\u001f\\\"q\\\"\\\\/\\u0000\\n\\t\\r\\b\\f\x7f\"");
}

TEST(CanonicalJson, KeepsDevanagariLiteral) {
  json::object o{{"name_hi", "इंदौर"}, {"नाम", "वार्ड १२"}};
  EXPECT_EQ(Canon(o), "{\"name_hi\":\"इंदौर\",\"नाम\":\"वार्ड १२\"}");
  // Parsing the canonical text and writing it again gives the same bytes.
  EXPECT_EQ(Canon(json::parse(Canon(o))), Canon(o));
}

TEST(CanonicalJson, RefusesDoublesAnywhere) {
  for (const char* text : {"1.5", "1.0", "1e3", R"({"a":{"b":[1,2,{"c":0.5}]}})",
                           R"([1,[2,[3.25]]])", R"({"amount":100.00})", "18446744073709551616"}) {
    auto r = CanonicalJson(json::parse(text));
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument) << text;
    EXPECT_EQ(r.status().code(), "float_in_record") << text;
    EXPECT_FALSE(r.status().message_hi().empty());
  }
  json::object built{{"ok", 1}, {"nested", json::array{1, json::object{{"x", 2.0}}}}};
  EXPECT_FALSE(CanonicalJson(built).ok());
}

TEST(ParseJsonObject, AcceptsAnObject) {
  auto o = ParseJsonObject(R"({"name_hi":"इंदौर","n":3,"list":[1,2]})");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->at("name_hi").as_string(), "इंदौर");
  EXPECT_EQ(o->at("n").as_int64(), 3);
  EXPECT_TRUE(ParseJsonObject(Nested(10)).ok());
  EXPECT_TRUE(ParseJsonObject(Nested(16)).ok());
}

TEST(ParseJsonObject, RefusesWhatIsNotAnObject) {
  for (const char* text : {"[1,2]", "\"text\"", "42", "null", "true", "[]"}) {
    auto o = ParseJsonObject(text);
    ASSERT_FALSE(o.ok()) << text;
    EXPECT_EQ(o.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_EQ(o.status().code(), "malformed_json") << text;
  }
}

TEST(ParseJsonObject, RefusesMalformedText) {
  for (const char* text : {"", "{", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{\"a\":1} x",
                           "{\"a\":1}{}", "{a:1}", "{\"a\":01}"}) {
    auto o = ParseJsonObject(text);
    ASSERT_FALSE(o.ok()) << text;
    EXPECT_EQ(o.status().code(), "malformed_json") << text;
    EXPECT_FALSE(o.status().message_hi().empty());
  }
}

TEST(ParseJsonObject, RefusesInvalidUtf8) {
  for (std::string text : {std::string("{\"a\":\"\xff\"}"), std::string("{\"a\":\"\xc3\"}"),
                           std::string("{\"a\":\"\xed\xa0\x80\"}"),  // a UTF-16 surrogate
                           std::string("{\"\xe0\xa4\":1}"),          // truncated key
                           std::string("{\"a\":\"\xc0\xaf\"}")}) {   // overlong '/'
    auto o = ParseJsonObject(text);
    ASSERT_FALSE(o.ok()) << text;
    EXPECT_EQ(o.status().code(), "malformed_json");
  }
}

TEST(ParseJsonObject, RefusesTooDeepNesting) {
  auto o = ParseJsonObject(Nested(17));
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), "malformed_json");
  EXPECT_FALSE(ParseJsonObject(Nested(1000)).ok());
  std::string arrays = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_FALSE(ParseJsonObject(arrays).ok());
}

TEST(ObjectReader, ReadsRequiredAndOptionalFields) {
  auto o = ParseJsonObject(
      R"({"name":"  Indore  ","name_hi":"इंदौर","wards":85,"active":true,"zone":null})");
  ASSERT_TRUE(o.ok());
  ObjectReader r(*o);
  auto name = r.String("name");
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(*name, "Indore");  // trimmed
  auto hi = r.String("name_hi");
  ASSERT_TRUE(hi.ok());
  EXPECT_EQ(*hi, "इंदौर");
  auto wards = r.Int("wards", 1, 200);
  ASSERT_TRUE(wards.ok());
  EXPECT_EQ(*wards, 85);
  auto active = r.Bool("active", false);
  ASSERT_TRUE(active.ok());
  EXPECT_TRUE(*active);
  auto zone = r.OptionalString("zone");  // null reads as absent
  ASSERT_TRUE(zone.ok());
  EXPECT_FALSE(zone->has_value());
  auto district = r.OptionalString("district");
  ASSERT_TRUE(district.ok());
  EXPECT_FALSE(district->has_value());
  auto pin = r.OptionalInt("pin", 0, 999999);
  ASSERT_TRUE(pin.ok());
  EXPECT_FALSE(pin->has_value());
  auto flag = r.Bool("flag", true);
  ASSERT_TRUE(flag.ok());
  EXPECT_TRUE(*flag);
  EXPECT_TRUE(r.Finish().ok());
}

TEST(ObjectReader, MissingRequiredFieldsNameTheField) {
  auto o = ParseJsonObject(R"({"blank":"   ","nothing":null})");
  ASSERT_TRUE(o.ok());
  ObjectReader r(*o);
  for (const char* key : {"name", "blank", "nothing"}) {
    auto s = r.String(key);
    ASSERT_FALSE(s.ok()) << key;
    EXPECT_EQ(s.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_EQ(s.status().code(), "invalid_field");
    EXPECT_NE(s.status().message().find(std::string("'") + key + "'"), std::string::npos)
        << s.status().message();
    EXPECT_NE(s.status().message_hi().find(key), std::string::npos);
  }
  auto n = r.Int("count", 0, 10);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("'count'"), std::string::npos);
}

TEST(ObjectReader, RefusesWrongTypes) {
  auto o = ParseJsonObject(
      R"({"s":5,"n":"5","d":5.5,"b":"yes","big":18446744073709551615,"arr":[1],"obj":{}})");
  ASSERT_TRUE(o.ok());
  ObjectReader r(*o);
  auto s = r.String("s");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("must be text"), std::string::npos) << s.status().message();
  auto n = r.Int("n", 0, 10);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("must be a number"), std::string::npos);
  EXPECT_FALSE(r.Int("d", 0, 10).ok());
  auto b = r.Bool("b", false);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("true or false"), std::string::npos);
  auto big = r.Int("big", 0, INT64_MAX);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("too large"), std::string::npos);
  EXPECT_FALSE(r.String("arr").ok());
  EXPECT_FALSE(r.OptionalString("obj").ok());
  EXPECT_FALSE(r.OptionalInt("arr", 0, 1).ok());
}

TEST(ObjectReader, EnforcesIntegerRange) {
  auto o = ParseJsonObject(R"({"low":-1,"high":101,"edge_low":0,"edge_high":100})");
  ASSERT_TRUE(o.ok());
  ObjectReader r(*o);
  auto low = r.Int("low", 0, 100);
  ASSERT_FALSE(low.ok());
  EXPECT_NE(low.status().message().find("between 0 and 100"), std::string::npos);
  EXPECT_FALSE(r.OptionalInt("high", 0, 100).ok());
  EXPECT_TRUE(r.Int("edge_low", 0, 100).ok());
  EXPECT_TRUE(r.Int("edge_high", 0, 100).ok());
}

TEST(ObjectReader, CountsLimitsInCodePoints) {
  // "इंदौर" is 5 code points in 15 bytes.
  auto o = ParseJsonObject(R"({"name_hi":"इंदौर"})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(Utf8Length("इंदौर"), 5u);
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  {
    ObjectReader r(*o);
    auto s = r.String("name_hi", 5);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }
  {
    ObjectReader r(*o);
    auto s = r.String("name_hi", 4);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.status().message().find("longer than 4 characters"), std::string::npos)
        << s.status().message();
  }
  {
    auto ascii = ParseJsonObject(R"({"name":"abcdef"})");
    ASSERT_TRUE(ascii.ok());
    ObjectReader r(*ascii);
    EXPECT_FALSE(r.String("name", 5).ok());
  }
}

TEST(ObjectReader, RefusesControlCharacters) {
  for (const char* text : {R"({"name":"a\nb"})", R"({"name":"a\tb"})", R"({"name":"a\u0000b"})",
                           R"({"name":"a\u007fb"})", R"({"name":"इंदौर\r"})"}) {
    auto o = ParseJsonObject(text);
    ASSERT_TRUE(o.ok()) << text;
    ObjectReader r(*o);
    auto s = r.String("name");
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_NE(s.status().message().find("control characters"), std::string::npos);
  }
}

TEST(ObjectReader, RefusesInvalidUtf8InABuiltObject) {
  // ParseJsonObject already refuses invalid UTF-8; a reader over an object built in code must
  // not let it through either, nor count its bytes as fewer characters than they are.
  json::object o{{"name", std::string("ab\xff\xfe")}};
  ObjectReader r(o);
  auto s = r.String("name");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), "invalid_field");
}

TEST(ObjectReader, FinishNamesTheFirstUnknownField) {
  auto o = ParseJsonObject(R"({"name":"Indore","nmae_hi":"इंदौर"})");
  ASSERT_TRUE(o.ok());
  ObjectReader r(*o);
  ASSERT_TRUE(r.String("name").ok());
  ASSERT_TRUE(r.OptionalString("name_hi").ok());
  Status s = r.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(s.code(), "unknown_field");
  EXPECT_NE(s.message().find("'nmae_hi'"), std::string::npos) << s.message();
  EXPECT_NE(s.message_hi().find("nmae_hi"), std::string::npos);
  // A field counts as known once it was asked for, even if it was refused.
  auto o2 = ParseJsonObject(R"({"n":"x"})");
  ASSERT_TRUE(o2.ok());
  ObjectReader r2(*o2);
  EXPECT_FALSE(r2.Int("n", 0, 1).ok());
  EXPECT_TRUE(r2.Finish().ok());
}

}  // namespace
}  // namespace palika
