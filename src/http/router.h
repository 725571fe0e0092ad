#pragma once
// Router: maps (method, path pattern) to a handler.
//
// Patterns are '/'-separated segments, each one of
//   literal       "properties"
//   {name}        one non-empty segment, e.g. {ulb}
//   pre{name}suf  one segment with a literal prefix and/or suffix, e.g. {receipt_no}.pdf
//   {name*}       last segment only: the rest of the path (one or more segments, joined by '/')
// When several patterns match, the most specific wins, segment by segment: literal, then
// affixed parameter, then parameter, then rest. A GET route also answers HEAD.
//
// Dispatch answers 400 for a malformed or tricky path (see ParseTarget), 404 (JSON) when no
// pattern matches, 405 (JSON, with an Allow header) when patterns match but not for this method,
// and 500 (JSON, details logged) when the handler throws. It never throws.
// Thread-safety: Add and AddAsync are for setup, before the router is shared; Dispatch is const and
// may run on many threads at once.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace palika::http {

// A handler may block (it runs on a worker thread, never on an I/O thread).
using Handler = std::function<Response(Request&)>;

// What an asynchronous handler answers with: a finished Response, or `make`, a function that
// makes it, run by the server on one of its I/O threads just before it writes the answer (so
// `make` must only compute: sign, serialise), or on a worker thread when it `blocks` (reads the
// database, say).
struct Reply {
  Response response;  // the answer when make is empty
  std::function<Response()> make;
  bool blocks = false;
};
// How an asynchronous handler answers: once, from any thread (later calls are ignored).
using Respond = std::function<void(Reply)>;
// A handler that answers through respond, possibly after it has returned: for a handler that
// would otherwise hold its worker thread while another thread works for it (a ledger commit).
// It starts on a worker thread like any handler.
using AsyncHandler = std::function<void(Request&, Respond)>;
// An asynchronous route's fast path, tried on the server's I/O thread before the request goes to
// a worker: it answers through respond (as an AsyncHandler does) and returns true only when it
// can do so without blocking (no file or database access, no waiting on a lock held for long).
// Otherwise it returns false having answered nothing, and the route's AsyncHandler runs on a
// worker as usual: the fast path is an optimisation, never a different answer.
using InlineHandler = std::function<bool(Request&, const Respond&)>;

class Router {
 public:
  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  Router(Router&&) = default;
  Router& operator=(Router&&) = default;

  // Registers handler for method ("GET", "POST", ...) and pattern. Throws std::invalid_argument
  // for a malformed pattern, or one that has the same shape as a route already added for method.
  void Add(std::string method, std::string_view pattern, Handler handler);
  // The same for a handler that answers through a Respond (see AsyncHandler), with an optional
  // fast path (see InlineHandler).
  void AddAsync(std::string method, std::string_view pattern, AsyncHandler handler,
                InlineHandler try_inline = nullptr);

  // Parses request.target into path and query, matches it, fills request.params and request.route
  // (empty if nothing matched), and runs the handler; the answer goes to respond (at once, unless
  // the route is asynchronous).
  void Dispatch(Request& request, const Respond& respond) const;
  // Runs the matched route's fast path (InlineHandler) on this thread: true when it answered
  // (or threw: a 500, as Dispatch answers), false when there is none or it would block, having
  // answered nothing (call Dispatch then, where blocking is allowed). Never throws.
  bool DispatchInline(Request& request, const Respond& respond) const;
  // The same, waiting for an asynchronous handler's answer (and making it) on this thread.
  Response Dispatch(Request& request) const;
  // The Response a Reply stands for: runs make (a 500 if it throws).
  static Response Finish(Reply& reply);

 private:
  enum class SegmentKind { kLiteral = 3, kAffixed = 2, kParam = 1, kRest = 0 };
  struct Segment {
    SegmentKind kind = SegmentKind::kLiteral;
    std::string literal;  // kLiteral: the text; kAffixed: the prefix
    std::string suffix;   // kAffixed
    std::string name;     // parameter name
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    std::vector<int> specificity;  // the segments' kinds: the larger, the more specific
    Handler handler;               // one of the two
    AsyncHandler async_handler;
    InlineHandler inline_handler;  // with async_handler only; may be empty
  };

  void AddRoute(std::string method, std::string_view pattern, Route route);
  // The route for request (filling its path, query, params and route), or null with the answer
  // that refuses it (400, 404 or 405) in *refusal.
  const Route* Find(Request& request, Response* refusal) const;
  // True if route matches path segments; fills params unless it is null (Find tries every route
  // without allocating, and fills the parameters of the one it chose).
  static bool Match(const Route& route, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string>* params);

  std::vector<Route> routes_;
};

}  // namespace palika::http
