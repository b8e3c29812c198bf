#include "base/http.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <string>

#include "base/http_form.h"
#include "base/http_router.h"
#include "base/json.h"

namespace kb::http {
namespace {

Request make(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

// --- headers, request helpers -----------------------------------------------------------

TEST(HttpHeaders, LookupIsCaseInsensitiveAndKeepsRepeats) {
  Headers h;
  h.add("Accept", "a");
  h.add("X-Thing", "1");
  h.add("accept", "b");
  EXPECT_EQ(h.get("ACCEPT").value(), "a");
  ASSERT_EQ(h.get_all("accept").size(), 2u);
  EXPECT_EQ(h.get_all("accept")[1], "b");
  EXPECT_EQ(h.count("x-thing"), 1u);
  EXPECT_FALSE(h.get("Missing").has_value());
  h.set("ACCEPT", "c");
  EXPECT_EQ(h.count("accept"), 1u);
  EXPECT_EQ(h.get("accept").value(), "c");
  h.remove("x-THING");
  EXPECT_FALSE(h.contains("X-Thing"));
}

TEST(HttpRequest, PathAndQuerySplitAtFirstQuestionMark) {
  Request r = make("GET", "/a/b?x=1?y");
  EXPECT_EQ(r.path(), "/a/b");
  EXPECT_EQ(r.query(), "x=1?y");
  EXPECT_EQ(make("GET", "/a").query(), "");
}

// --- problem documents ------------------------------------------------------------------

TEST(HttpProblem, BodyHasExactlyTheRfc9457MembersAndTheCode) {
  Response r = problem(404, "user_not_found", "No such user");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.get("content-type").value(), "application/problem+json");
  EXPECT_EQ(r.headers.get("cache-control").value(), "no-store");
  auto o = json::parse_object(r.body);
  ASSERT_TRUE(o) << r.body;
  EXPECT_EQ(o->size(), 4u);
  EXPECT_EQ(json::get_string(*o, "type").value(), "urn:keybridge:problem:user_not_found");
  EXPECT_EQ(json::get_string(*o, "title").value(), "No such user");
  EXPECT_EQ(json::get_int(*o, "status").value(), 404);
  EXPECT_EQ(json::get_string(*o, "code").value(), "user_not_found");
}

TEST(HttpProblem, TitleIsJsonEscaped) {
  Response r = problem(400, "x", "quote \" and \\ backslash");
  auto o = json::parse_object(r.body);
  ASSERT_TRUE(o);
  EXPECT_EQ(json::get_string(*o, "title").value(), "quote \" and \\ backslash");
}

TEST(HttpJson, ResponseIsCompactJsonAndNotCached) {
  boost::json::object o;
  o["a"] = 1;
  Response r = json_response(201, o);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{\"a\":1}");
  EXPECT_EQ(r.headers.get("Content-Type").value(), "application/json");
  EXPECT_EQ(r.headers.get("Cache-Control").value(), "no-store");
}

TEST(HttpReason, KnownAndUnknownStatuses) {
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(299), "Unknown");
}

// --- bearer tokens ----------------------------------------------------------------------

Result<SecretString> bearer(std::initializer_list<std::string> values) {
  Request r = make("GET", "/");
  for (const auto& v : values) r.headers.add("Authorization", v);
  return bearer_token(r);
}

TEST(HttpBearer, AcceptsToken68AnySchemeCase) {
  auto t = bearer({"Bearer abc.DEF-_~+/=="});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->reveal(), "abc.DEF-_~+/==");
  EXPECT_EQ(bearer({"bearer   xyz"})->reveal(), "xyz");
}

TEST(HttpBearer, MissingHeaderIsMissingCredentials) {
  auto t = bearer({});
  ASSERT_FALSE(t);
  EXPECT_TRUE(t.error().is(Errc::kMissingCredentials));
}

TEST(HttpBearer, MalformedHeadersAreBadCredentials) {
  for (auto v : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearertoken", "Bearer a b",
                 "Bearer a=b", "Bearer =abc", "Bearer tok\x01", "Bearer\tabc"}) {
    auto t = bearer({v});
    ASSERT_FALSE(t) << v;
    EXPECT_TRUE(t.error().is(Errc::kBadCredentials)) << v;
  }
  auto two = bearer({"Bearer a", "Bearer b"});
  ASSERT_FALSE(two);
  EXPECT_TRUE(two.error().is(Errc::kBadCredentials));
}

// --- forms and queries ------------------------------------------------------------------

TEST(HttpForm, DecodesPercentAndPlus) {
  auto f = parse_form("grant_type=srv_challenge&a%20b=c+d%2Be&empty=&flag");
  ASSERT_TRUE(f) << f.error().to_string();
  ASSERT_EQ(f->size(), 4u);
  EXPECT_EQ(f->first("grant_type").value(), "srv_challenge");
  EXPECT_EQ(f->first("a b").value(), "c d+e");
  EXPECT_EQ(f->first("empty").value(), "");
  EXPECT_EQ(f->first("flag").value(), "");
}

TEST(HttpForm, FirstEqualsSignSplitsAndRepeatsAreKept) {
  auto f = parse_form("jwt=a.b.c==&x=1&x=2");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->first("jwt").value(), "a.b.c==");
  EXPECT_EQ(f->count("x"), 2u);
  EXPECT_EQ(f->entries()[2].second, "2");
}

TEST(HttpForm, UniqueRefusesMissingAndRepeatedFields) {
  auto f = parse_form("x=1&x=2&y=3");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->unique("y").value(), "3");
  EXPECT_TRUE(f->unique("x").error().is(Errc::kDuplicateField));
  EXPECT_TRUE(f->unique("z").error().is(Errc::kMissingField));
}

TEST(HttpForm, EmptyInputIsNoFields) {
  auto f = parse_form("");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->size(), 0u);
}

TEST(HttpForm, Utf8IsAccepted) {
  auto f = parse_form("n=%C3%A9%E2%82%AC%F0%9F%94%91");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->first("n").value(), "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x91");
}

void expect_form_error(std::string_view in, Errc code, const FormLimits& limits = {}) {
  auto f = parse_form(in, limits);
  ASSERT_FALSE(f) << "accepted: " << in;
  EXPECT_TRUE(f.error().is(code)) << in << " -> " << f.error().to_string();
}

TEST(HttpForm, BadEscapesAreRefused) {
  expect_form_error("a=%", Errc::kBadEncoding);
  expect_form_error("a=%4", Errc::kBadEncoding);
  expect_form_error("a=%4g", Errc::kBadEncoding);
  expect_form_error("a=%%41", Errc::kBadEncoding);
  expect_form_error("a%=1", Errc::kBadEncoding);
}

TEST(HttpForm, RawBytesOutsidePrintableAsciiAreRefused) {
  expect_form_error("a=b c", Errc::kBadEncoding);
  expect_form_error("a=b\tc", Errc::kBadEncoding);
  expect_form_error("a=\xC3\xA9", Errc::kBadEncoding);
  expect_form_error(std::string_view("a=b\0c", 5), Errc::kBadEncoding);
}

TEST(HttpForm, DecodedBytesMustBeUtf8WithoutNul) {
  expect_form_error("a=%FF", Errc::kBadEncoding);
  expect_form_error("a=%C3", Errc::kBadEncoding);           // truncated sequence
  expect_form_error("a=%C0%AF", Errc::kBadEncoding);        // overlong '/'
  expect_form_error("a=%ED%A0%80", Errc::kBadEncoding);     // surrogate
  expect_form_error("a=%F4%90%80%80", Errc::kBadEncoding);  // past U+10FFFF
  expect_form_error("a=%00", Errc::kBadEncoding);
}

TEST(HttpForm, GrammarViolationsAreRefused) {
  expect_form_error("=1", Errc::kBadForm);
  expect_form_error("a=1&&b=2", Errc::kBadForm);
  expect_form_error("a=1&", Errc::kBadForm);
  expect_form_error("&a=1", Errc::kBadForm);
  expect_form_error("&", Errc::kBadForm);
}

TEST(HttpForm, LimitsAreEnforced) {
  FormLimits l{.max_fields = 2, .max_name_bytes = 4, .max_value_bytes = 5, .max_total_bytes = 30};
  EXPECT_TRUE(parse_form("a=1&b=2", l));
  expect_form_error("a=1&b=2&c=3", Errc::kTooManyFields, l);
  expect_form_error("abcde=1", Errc::kFieldTooLarge, l);
  expect_form_error("a=123456", Errc::kFieldTooLarge, l);
  expect_form_error("a=%31%32%33%34%35%36", Errc::kFieldTooLarge, l);
  EXPECT_TRUE(parse_form("a=%31%32%33%34%35", l));
  expect_form_error(std::string(31, 'a'), Errc::kTooLarge, l);
}

TEST(HttpQuery, SameGrammarAsForms) {
  auto q = parse_query("client-request-id=1%2B2&api-version=1.0");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->first("client-request-id").value(), "1+2");
  EXPECT_FALSE(parse_query("a=%zz"));
}

TEST(HttpPercent, PathDecodingKeepsPlus) {
  EXPECT_EQ(percent_decode("a+b%20c", 100).value(), "a+b c");
  EXPECT_TRUE(percent_decode("%2", 100).error().is(Errc::kBadEncoding));
  EXPECT_TRUE(percent_decode("abcdef", 3).error().is(Errc::kFieldTooLarge));
}

TEST(HttpForm, EncodeThenParseRoundTrips) {
  std::vector<std::pair<std::string, std::string>> in = {
      {"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
      {"request", "a b+c&d=e/f%g\xC3\xA9"},
      {"empty", ""}};
  std::string enc = form_encode(in);
  EXPECT_EQ(enc.find(' '), std::string::npos);
  auto f = parse_form(enc);
  ASSERT_TRUE(f) << enc;
  EXPECT_EQ(f->entries(), in);
}

// --- router -----------------------------------------------------------------------------

class HttpRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add("GET", "/", [](const Request&) { return Response{200, {}, "root"}; });
    router.add("GET", "/users/me", [](const Request&) { return Response{200, {}, "me"}; });
    router.add("GET", "/users/{id}", [](const Request&, const PathParams& p) {
      return Response{200, {}, "user:" + p.at("id")};
    });
    router.add("DELETE", "/users/{id}", [](const Request&, const PathParams& p) {
      return Response{204, {}, "deleted:" + p.at("id")};
    });
    router.add("POST", "/tenants/{t}/users/{u}/keys", [](const Request&, const PathParams& p) {
      return Response{201, {}, p.at("t") + "/" + p.at("u")};
    });
  }
  Router router;
};

TEST_F(HttpRouterTest, ExactAndParameterRoutesMatch) {
  EXPECT_EQ(router.handle(make("GET", "/")).body, "root");
  EXPECT_EQ(router.handle(make("GET", "/users/me?x=1")).body, "me");
  EXPECT_EQ(router.handle(make("GET", "/users/42")).body, "user:42");
  EXPECT_EQ(router.handle(make("DELETE", "/users/42")).status, 204);
  EXPECT_EQ(router.handle(make("POST", "/tenants/t1/users/u%40x/keys")).body, "t1/u@x");
}

TEST_F(HttpRouterTest, UnknownPathIsNotFoundProblem) {
  for (auto t : {"/nope", "/users", "/users/1/2", "/users//", "/users/1/", "//"}) {
    Response r = router.handle(make("GET", t));
    EXPECT_EQ(r.status, 404) << t;
    auto o = json::parse_object(r.body);
    ASSERT_TRUE(o);
    EXPECT_EQ(json::get_string(*o, "code").value(), "not_found");
  }
}

TEST_F(HttpRouterTest, WrongMethodIsMethodNotAllowedWithAllow) {
  Response r = router.handle(make("PUT", "/users/7"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.get("Allow").value(), "DELETE, GET");
  auto o = json::parse_object(r.body);
  ASSERT_TRUE(o);
  EXPECT_EQ(json::get_string(*o, "code").value(), "method_not_allowed");
  EXPECT_EQ(router.handle(make("POST", "/")).headers.get("Allow").value(), "GET");
}

TEST_F(HttpRouterTest, MethodsAreCaseSensitive) {
  EXPECT_EQ(router.handle(make("get", "/")).status, 405);
}

TEST_F(HttpRouterTest, BadParameterEncodingOrTargetIsBadRequest) {
  EXPECT_EQ(router.handle(make("GET", "/users/%zz")).status, 400);
  EXPECT_EQ(router.handle(make("GET", "/users/a%2Fb")).status, 400);  // decoded '/'
  EXPECT_EQ(router.handle(make("GET", "/users/%00")).status, 400);
  EXPECT_EQ(router.handle(make("GET", "users/1")).status, 400);
  EXPECT_EQ(router.handle(make("GET", "")).status, 400);
}

TEST_F(HttpRouterTest, AsHandlerDispatchesTheSame) {
  Handler h = router.as_handler();
  EXPECT_EQ(h(make("GET", "/users/5")).body, "user:5");
}

}  // namespace
}  // namespace kb::http
