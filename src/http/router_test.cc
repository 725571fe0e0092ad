#include "http/router.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/api_error.h"

namespace palika::http {
namespace {

Request Make(std::string method, std::string target) {
  Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

Response Echo(Request& request) {
  boost::json::object params;
  for (const auto& [name, value] : request.params) params[name] = value;
  return Response::Json(200, boost::json::object{{"route", request.route}, {"params", params}});
}

boost::json::value Body(const Response& response) { return boost::json::parse(response.body); }

std::string ErrorCode(const Response& response) {
  return std::string(Body(response).at("error").at("code").as_string());
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add("GET", "/api/v1/ulbs/{ulb}/properties/{id}", Echo);
    router_.Add("PUT", "/api/v1/ulbs/{ulb}/properties/{id}", Echo);
    router_.Add("GET", "/api/v1/ulbs/{ulb}/properties/search", Echo);
    router_.Add("GET", "/api/v1/ulbs/{ulb}/receipts/{receipt_no}", Echo);
    router_.Add("GET", "/api/v1/ulbs/{ulb}/receipts/{receipt_no}.pdf", Echo);
    router_.Add("GET", "/static/{path*}", Echo);
    router_.Add("GET", "/", Echo);
    router_.Add("GET", "/boom", [](Request&) -> Response { throw std::runtime_error("disk /x"); });
  }
  Router router_;
};

TEST_F(RouterTest, MatchesAndFillsParams) {
  Request request = Make("GET", "/api/v1/ulbs/0152/properties/P-7?x=1");
  Response response = router_.Dispatch(request);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(request.route, "/api/v1/ulbs/{ulb}/properties/{id}");
  EXPECT_EQ(request.Param("ulb"), "0152");
  EXPECT_EQ(request.Param("id"), "P-7");
  EXPECT_EQ(request.path, "/api/v1/ulbs/0152/properties/P-7");
  EXPECT_EQ(request.Query("x"), "1");
  EXPECT_EQ(response.content_type, "application/json");
}

TEST_F(RouterTest, LiteralBeatsParameterAndSuffixBeatsPlainParameter) {
  Request search = Make("GET", "/api/v1/ulbs/0152/properties/search");
  ASSERT_EQ(router_.Dispatch(search).status, 200);
  EXPECT_EQ(search.route, "/api/v1/ulbs/{ulb}/properties/search");
  EXPECT_TRUE(search.params.count("id") == 0);

  Request pdf = Make("GET", "/api/v1/ulbs/0152/receipts/R-2026-1.pdf");
  ASSERT_EQ(router_.Dispatch(pdf).status, 200);
  EXPECT_EQ(pdf.route, "/api/v1/ulbs/{ulb}/receipts/{receipt_no}.pdf");
  EXPECT_EQ(pdf.Param("receipt_no"), "R-2026-1");

  Request plain = Make("GET", "/api/v1/ulbs/0152/receipts/R-2026-1");
  ASSERT_EQ(router_.Dispatch(plain).status, 200);
  EXPECT_EQ(plain.route, "/api/v1/ulbs/{ulb}/receipts/{receipt_no}");
}

TEST_F(RouterTest, RestParameterTakesTheRemainingSegments) {
  Request request = Make("GET", "/static/css/site.css");
  ASSERT_EQ(router_.Dispatch(request).status, 200);
  EXPECT_EQ(request.Param("path"), "css/site.css");
  Request empty = Make("GET", "/static/");
  EXPECT_EQ(router_.Dispatch(empty).status, 404);
}

TEST_F(RouterTest, PercentDecodedSegmentsAndUnicode) {
  // "इंदौर" percent-encoded as UTF-8.
  Request request =
      Make("GET", "/api/v1/ulbs/%E0%A4%87%E0%A4%82%E0%A4%A6%E0%A5%8C%E0%A4%B0/properties/a%20b");
  ASSERT_EQ(router_.Dispatch(request).status, 200);
  EXPECT_EQ(request.Param("ulb"), "इंदौर");
  EXPECT_EQ(request.Param("id"), "a b");
}

TEST_F(RouterTest, UnknownPathIsJson404) {
  Request request = Make("GET", "/api/v1/nothing");
  Response response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(ErrorCode(response), "not_found");
  EXPECT_EQ(request.route, "");
  auto body = Body(response);
  EXPECT_FALSE(body.at("error").at("message").as_string().empty());
  EXPECT_FALSE(body.at("error").at("message_hi").as_string().empty());
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Request request = Make("DELETE", "/api/v1/ulbs/0152/properties/7");
  Response response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(ErrorCode(response), "method_not_allowed");
  ASSERT_NE(response.FindHeader("allow"), nullptr);
  EXPECT_EQ(*response.FindHeader("Allow"), "GET, HEAD, PUT");
}

TEST_F(RouterTest, HeadIsAnsweredByGet) {
  Request request = Make("HEAD", "/api/v1/ulbs/0152/properties/7");
  EXPECT_EQ(router_.Dispatch(request).status, 200);
  EXPECT_EQ(request.route, "/api/v1/ulbs/{ulb}/properties/{id}");
}

TEST_F(RouterTest, PathTricksAreRefusedWith400) {
  for (const char* target : {
           "/api/v1/ulbs/../properties/1",            // dot-dot
           "/api/v1/ulbs/%2e%2E/properties/1",        // encoded dot-dot
           "/api/v1/ulbs/./0152/properties/1",        // dot
           "/api/v1/ulbs/01%2F52/properties/1",       // encoded slash
           "/api/v1/ulbs/01%5c52/properties/1",       // encoded backslash
           "/api/v1/ulbs/01%0052/properties/1",       // NUL
           "/api/v1/ulbs/01%0A52/properties/1",       // line feed
           "/api/v1/ulbs/01%zz/properties/1",         // invalid escape
           "/api/v1/ulbs/01%4/properties/1",          // truncated escape
           "/api/v1/ulbs/01%/properties/1",           // bare percent
           "/api/v1/ulbs/%C3%28/properties/1",        // invalid UTF-8
           "/api/v1/ulbs/%C0%AF/properties/1",        // overlong '/'
           "/api/v1/ulbs/%ED%A0%80/properties/1",     // UTF-16 surrogate
           "/api/v1/ulbs/%F4%90%80%80/properties/1",  // beyond U+10FFFF
           "api/v1/ulbs",                             // not origin-form
           "",
       }) {
    Request request = Make("GET", target);
    Response response = router_.Dispatch(request);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(ErrorCode(response), "bad_path") << target;
    auto body = Body(response);
    EXPECT_NE(std::string(body.at("error").at("message_hi").as_string()),
              std::string(body.at("error").at("message").as_string()))
        << "bilingual: " << target;
  }
}

TEST_F(RouterTest, BadQueryIsRefusedWith400) {
  for (const char* target : {"/?q=%zz", "/?q=%00", "/?q=%FF"}) {
    Request request = Make("GET", target);
    Response response = router_.Dispatch(request);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(ErrorCode(response), "bad_query") << target;
  }
}

TEST_F(RouterTest, ThrowingHandlerIsA500WithoutDetails) {
  Request request = Make("GET", "/boom");
  Response response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(ErrorCode(response), "internal");
  EXPECT_EQ(response.body.find("disk /x"), std::string::npos);
}

TEST(RouterAsync, AnswersFromAnotherThreadAndMakesTheReply) {
  Router router;
  std::thread answerer;
  router.AddAsync("POST", "/api/v1/ulbs/{ulb}/later", [&](Request& request, Respond respond) {
    std::string ulb = request.Param("ulb");
    answerer = std::thread([ulb, respond] {
      respond(Reply{{}, [ulb] { return Response::Text(201, "later " + ulb); }, false});
    });
  });
  router.AddAsync("GET", "/api/v1/throws",
                  [](Request&, Respond) { throw std::runtime_error("secret detail"); });
  router.Add("GET", "/api/v1/now", [](Request&) { return Response::Text(200, "now"); });

  // The blocking Dispatch waits for the answer and makes it.
  Request later = Make("POST", "/api/v1/ulbs/0152/later");
  Response answer = router.Dispatch(later);
  answerer.join();
  EXPECT_EQ(answer.status, 201);
  EXPECT_EQ(answer.body, "later 0152");
  EXPECT_EQ(later.route, "/api/v1/ulbs/{ulb}/later");

  // A throwing asynchronous handler, a refused path and a plain handler answer through respond.
  std::vector<Reply> replies;
  Respond collect = [&replies](Reply r) { replies.push_back(std::move(r)); };
  for (const char* target : {"/api/v1/throws", "/api/v1/nowhere", "/api/v1/now"}) {
    Request request = Make("GET", target);
    router.Dispatch(request, collect);
  }
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(Router::Finish(replies[0]).status, 500);
  EXPECT_EQ(Router::Finish(replies[0]).body.find("secret"), std::string::npos);
  EXPECT_EQ(Router::Finish(replies[1]).status, 404);
  EXPECT_EQ(Router::Finish(replies[2]).body, "now");
  Reply throwing{{}, []() -> Response { throw std::runtime_error("secret"); }, false};
  EXPECT_EQ(Router::Finish(throwing).status, 500);
}

TEST(RouterAsync, DispatchInlineRunsOnlyAFastPathThatTakesTheRequest) {
  Router router;
  router.AddAsync(
      "POST", "/api/v1/ulbs/{ulb}/fast",
      [](Request&, Respond respond) {
        respond(Reply{Response::Text(200, "slow"), {}, false});
      },
      [](Request& request, const Respond& respond) {
        if (request.Param("ulb") == "9999") return false;
        if (request.Param("ulb") == "0000") throw std::runtime_error("secret detail");
        respond(Reply{Response::Text(200, "fast " + request.Param("ulb")), {}, false});
        return true;
      });
  router.AddAsync("POST", "/api/v1/plain", [](Request&, Respond respond) {
    respond(Reply{Response::Text(200, "p"), {}, false});
  });
  router.Add("GET", "/api/v1/now", [](Request&) { return Response::Text(200, "now"); });

  std::vector<Reply> replies;
  Respond collect = [&replies](Reply r) { replies.push_back(std::move(r)); };
  Request fast = Make("POST", "/api/v1/ulbs/0152/fast");
  EXPECT_TRUE(router.DispatchInline(fast, collect));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(Router::Finish(replies[0]).body, "fast 0152");
  EXPECT_EQ(fast.route, "/api/v1/ulbs/{ulb}/fast");
  // Declined, no fast path, a plain route, a refused path: nothing answered.
  for (auto [method, target] : {std::pair{"POST", "/api/v1/ulbs/9999/fast"},
                                {"POST", "/api/v1/plain"},
                                {"GET", "/api/v1/now"},
                                {"GET", "/api/v1/nowhere"},
                                {"GET", "/api/v1/ulbs/0152/fast"}}) {
    Request request = Make(method, target);
    EXPECT_FALSE(router.DispatchInline(request, collect)) << target;
  }
  EXPECT_EQ(replies.size(), 1u);
  // A fast path that throws is answered 500, without the details.
  Request throws = Make("POST", "/api/v1/ulbs/0000/fast");
  EXPECT_TRUE(router.DispatchInline(throws, collect));
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(Router::Finish(replies[1]).status, 500);
  EXPECT_EQ(Router::Finish(replies[1]).body.find("secret"), std::string::npos);
}

TEST(RouterSetup, MalformedOrAmbiguousPatternsThrow) {
  Router router;
  auto handler = [](Request&) { return Response::Text(200, "ok"); };
  router.Add("GET", "/a/{id}", handler);
  EXPECT_THROW(router.Add("GET", "/a/{other}", handler), std::invalid_argument);
  EXPECT_NO_THROW(router.Add("POST", "/a/{other}", handler));
  EXPECT_THROW(router.Add("GET", "no-slash", handler), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/b/{id", handler), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/b/{x}/{x}", handler), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/b/{x*}/c", handler), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/b/{a}{b}", handler), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/b/{a-b}", handler), std::invalid_argument);
}

TEST(RequestHelpers, QueryHeaderAndCookie) {
  Request request = Make("GET", "/?q=ram+kumar&q=%E0%A4%B0&empty=&flag");
  ASSERT_TRUE(ParseTarget(request.target, &request).ok());
  EXPECT_EQ(request.Query("q"), "ram kumar");
  EXPECT_EQ(request.QueryAll("q"), (std::vector<std::string>{"ram kumar", "र"}));
  EXPECT_EQ(request.Query("empty"), "");
  EXPECT_EQ(request.Query("flag"), "");
  EXPECT_EQ(request.Query("missing"), std::nullopt);

  request.headers["x-request-id"] = "abc";
  request.headers["cookie"] = "a=1; session=\"tok en\";  csrf=xyz";
  EXPECT_EQ(request.Header("X-Request-ID"), "abc");
  EXPECT_EQ(request.Header("missing"), std::nullopt);
  EXPECT_EQ(request.Cookie("session"), "tok en");
  EXPECT_EQ(request.Cookie("csrf"), "xyz");
  EXPECT_EQ(request.Cookie("a"), "1");
  EXPECT_EQ(request.Cookie("sess"), std::nullopt);
}

TEST(RequestHelpers, FormBodiesKeepLineBreaks) {
  auto form = ParseUrlEncoded("text=line1%0D%0Aline2&x=%26%3D");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->find("text")->second, "line1\r\nline2");
  EXPECT_EQ(form->find("x")->second, "&=");
}

TEST(RequestHelpers, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("नगर निगम"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x99\x82"));  // U+1F642
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xE0\xA4"));      // truncated
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));  // overlong
}

TEST(ApiError, StatusMapping) {
  EXPECT_EQ(HttpStatusFor(StatusKind::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusKind::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusKind::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusKind::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusKind::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(StatusKind::kTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(StatusKind::kTooManyRequests), 429);
  EXPECT_EQ(HttpStatusFor(StatusKind::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusKind::kCorruption), 500);
  EXPECT_EQ(HttpStatusFor(StatusKind::kIOError), 500);
  EXPECT_EQ(HttpStatusFor(StatusKind::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(StatusKind::kOk), 500);
}

TEST(ApiError, BodyIsExactlyTheDocumentedShape) {
  Response response = Response::Error(
      Status::Conflict("duplicate_payment", "Already \"paid\".", "पहले ही भुगतान हो चुका है।"));
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body,
            "{\"error\": {\"code\": \"duplicate_payment\", \"message\": \"Already \\\"paid\\\".\", "
            "\"message_hi\": \"पहले ही भुगतान हो चुका है।\"}}");
}

TEST(ApiError, InternalDetailsDoNotLeak) {
  Response response = Response::Error(Status::IOError("open /var/lib/palika/ulb/0152.db: EIO"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("/var/lib"), std::string::npos);
  EXPECT_EQ(ErrorCode(response), "internal");
  auto body = Body(response);
  EXPECT_NE(body.at("error").at("message_hi").as_string(),
            body.at("error").at("message").as_string());
}

}  // namespace
}  // namespace palika::http
