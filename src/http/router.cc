#include "http/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>

#include "http/api_error.h"

namespace palika::http {

namespace {

// The 500 for a handler that threw; called inside a catch block, with the exception in flight.
Response HandlerThrew(const Request& request, const std::string& pattern) {
  try {
    throw;
  } catch (const std::exception& e) {
    return Response::Error(
        Status::Internal(request.method + " " + pattern + ": handler threw: " + e.what()));
  } catch (...) {
    return Response::Error(
        Status::Internal(request.method + " " + pattern + ": handler threw a non-exception"));
  }
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  // path starts with '/': "/a/b" -> {"a", "b"}; "/" -> {""}.
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      parts.push_back(path.substr(start));
      break;
    }
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool ValidParamName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

[[noreturn]] void BadPattern(std::string_view pattern, std::string_view why) {
  throw std::invalid_argument("route pattern '" + std::string(pattern) + "': " + std::string(why));
}

}  // namespace

void Router::Add(std::string method, std::string_view pattern, Handler handler) {
  if (!handler) BadPattern(pattern, "needs a method and a handler");
  Route route;
  route.handler = std::move(handler);
  AddRoute(std::move(method), pattern, std::move(route));
}

void Router::AddAsync(std::string method, std::string_view pattern, AsyncHandler handler,
                      InlineHandler try_inline) {
  if (!handler) BadPattern(pattern, "needs a method and a handler");
  Route route;
  route.async_handler = std::move(handler);
  route.inline_handler = std::move(try_inline);
  AddRoute(std::move(method), pattern, std::move(route));
}

void Router::AddRoute(std::string method, std::string_view pattern, Route route) {
  if (method.empty()) BadPattern(pattern, "needs a method and a handler");
  if (pattern.empty() || pattern[0] != '/') BadPattern(pattern, "must start with '/'");
  route.method = std::move(method);
  route.pattern = std::string(pattern);
  std::set<std::string> names;
  std::vector<std::string_view> parts = SplitPath(pattern);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    Segment segment;
    size_t open = part.find('{');
    if (open == std::string_view::npos) {
      if (part.find('}') != std::string_view::npos) BadPattern(pattern, "unbalanced '}'");
      segment.literal = std::string(part);
    } else {
      size_t close = part.find('}', open);
      if (close == std::string_view::npos) BadPattern(pattern, "unbalanced '{'");
      if (part.find_first_of("{}", close + 1) != std::string_view::npos) {
        BadPattern(pattern, "one parameter per segment");
      }
      std::string_view name = part.substr(open + 1, close - open - 1);
      segment.literal = std::string(part.substr(0, open));
      segment.suffix = std::string(part.substr(close + 1));
      if (name.ends_with('*')) {
        name.remove_suffix(1);
        if (i + 1 != parts.size() || !segment.literal.empty() || !segment.suffix.empty()) {
          BadPattern(pattern, "{name*} must be a whole last segment");
        }
        segment.kind = SegmentKind::kRest;
      } else {
        bool affixed = !segment.literal.empty() || !segment.suffix.empty();
        segment.kind = affixed ? SegmentKind::kAffixed : SegmentKind::kParam;
      }
      if (!ValidParamName(name)) BadPattern(pattern, "parameter names are [A-Za-z0-9_]+");
      if (!names.insert(std::string(name)).second) BadPattern(pattern, "repeated parameter name");
      segment.name = std::string(name);
    }
    route.specificity.push_back(static_cast<int>(segment.kind));
    route.segments.push_back(std::move(segment));
  }
  // Two routes of one method that differ only in parameter names would be ambiguous.
  auto same_shape = [&](const Route& other) {
    if (other.method != route.method || other.segments.size() != route.segments.size()) {
      return false;
    }
    for (size_t i = 0; i < route.segments.size(); ++i) {
      const Segment& a = route.segments[i];
      const Segment& b = other.segments[i];
      if (a.kind != b.kind || a.literal != b.literal || a.suffix != b.suffix) return false;
    }
    return true;
  };
  if (std::any_of(routes_.begin(), routes_.end(), same_shape)) {
    BadPattern(pattern, "a route of the same shape is already registered for " + route.method);
  }
  routes_.push_back(std::move(route));
}

bool Router::Match(const Route& route, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string>* params) {
  if (params != nullptr) params->clear();
  const auto& segments = route.segments;
  bool has_rest = !segments.empty() && segments.back().kind == SegmentKind::kRest;
  if (has_rest ? parts.size() < segments.size() : parts.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& segment = segments[i];
    std::string_view part = parts[i];
    switch (segment.kind) {
      case SegmentKind::kLiteral:
        if (part != segment.literal) return false;
        break;
      case SegmentKind::kParam:
        if (part.empty()) return false;
        if (params != nullptr) (*params)[segment.name] = std::string(part);
        break;
      case SegmentKind::kAffixed:
        if (part.size() <= segment.literal.size() + segment.suffix.size() ||
            !part.starts_with(segment.literal) || !part.ends_with(segment.suffix)) {
          return false;
        }
        if (params != nullptr) {
          (*params)[segment.name] =
              std::string(part.substr(segment.literal.size(), part.size() - segment.literal.size() -
                                                                  segment.suffix.size()));
        }
        break;
      case SegmentKind::kRest: {
        std::string rest;
        for (size_t k = i; k < parts.size(); ++k) {
          if (parts[k].empty()) return false;
          if (params == nullptr) continue;
          if (k > i) rest += '/';
          rest += parts[k];
        }
        if (params != nullptr) (*params)[segment.name] = std::move(rest);
        break;
      }
    }
  }
  return true;
}

const Router::Route* Router::Find(Request& request, Response* refusal) const {
  request.route.clear();
  request.params.clear();
  Status parsed = ParseTarget(request.target, &request);
  if (!parsed.ok()) {
    *refusal = Response::Error(parsed);
    return nullptr;
  }

  std::vector<std::string_view> parts = SplitPath(request.path);
  // The most specific route of the method that matches (segment by segment: the route's kinds
  // compared in order); a route no more specific than the best so far is not even matched.
  const Route* best = nullptr;
  for (bool head_as_get : {false, true}) {
    for (const Route& route : routes_) {
      bool method_ok = head_as_get ? (request.method == "HEAD" && route.method == "GET")
                                   : route.method == request.method;
      if (!method_ok || (best != nullptr && !(route.specificity > best->specificity))) continue;
      if (Match(route, parts, nullptr)) best = &route;
    }
    // An explicit HEAD route wins over answering HEAD with the GET handler.
    if (best != nullptr || request.method != "HEAD") break;
  }

  if (best == nullptr) {
    // The methods of the routes whose pattern matches, for 405's Allow (or a 404 if none).
    std::set<std::string> allowed;
    for (const Route& route : routes_) {
      if (!Match(route, parts, nullptr)) continue;
      allowed.insert(route.method);
      if (route.method == "GET") allowed.insert("HEAD");
    }
    if (allowed.empty()) {
      *refusal = Response::Error(Status::NotFound(
          "not_found",
          "There is no page or API endpoint at this address. Check the address, or start again "
          "from the home page.",
          "इस पते पर कोई पेज या API नहीं है। पता जाँचें, या मुख्य पेज से फिर से शुरू करें।"));
      return nullptr;
    }
    std::string allow;
    for (const std::string& method : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += method;
    }
    *refusal = Response::Error(
        405, Status::InvalidArgument("method_not_allowed",
                                     "This address does not accept a " + request.method +
                                         " request; it accepts " + allow + ".",
                                     "यह पता " + request.method + " अनुरोध स्वीकार नहीं करता; यह " +
                                         allow + " स्वीकार करता है।"));
    refusal->headers.emplace_back("Allow", allow);
    return nullptr;
  }

  request.route = best->pattern;
  Match(*best, parts, &request.params);
  return best;
}

void Router::Dispatch(Request& request, const Respond& respond) const {
  Response response;
  const Route* route = Find(request, &response);
  if (route != nullptr) {
    try {
      if (route->async_handler) {
        route->async_handler(request, respond);
        return;
      }
      response = route->handler(request);
    } catch (...) {
      // (An asynchronous handler that answered before it threw keeps its answer.)
      response = HandlerThrew(request, route->pattern);
    }
  }
  respond(Reply{std::move(response), {}, false});
}

bool Router::DispatchInline(Request& request, const Respond& respond) const {
  Response refusal;
  const Route* route = Find(request, &refusal);
  // A refusal is cheap too, but Dispatch gives it (with the same Find) on the usual path.
  if (route == nullptr || !route->inline_handler) return false;
  Response response;
  try {
    return route->inline_handler(request, respond);
  } catch (...) {
    response = HandlerThrew(request, route->pattern);
  }
  respond(Reply{std::move(response), {}, false});
  return true;
}

Response Router::Dispatch(Request& request) const {
  struct Answer {
    std::once_flag once;
    std::promise<Reply> reply;
  };
  auto answer = std::make_shared<Answer>();
  std::future<Reply> reply = answer->reply.get_future();
  Dispatch(request, [answer](Reply r) {
    std::call_once(answer->once, [&] { answer->reply.set_value(std::move(r)); });
  });
  Reply got = reply.get();
  return Finish(got);
}

Response Router::Finish(Reply& reply) {
  if (!reply.make) return std::move(reply.response);
  try {
    return reply.make();
  } catch (const std::exception& e) {
    return Response::Error(Status::Internal(std::string("making an answer threw: ") + e.what()));
  } catch (...) {
    return Response::Error(Status::Internal("making an answer threw a non-exception"));
  }
}

}  // namespace palika::http
