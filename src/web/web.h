#pragma once
// The web: server-rendered HTML pages in Hindi and English for citizens (the portal: find a
// property, its dues, receipts, verify a receipt) and staff (sign-in with password + one-time
// code, the counter: search, dues, collect, receipt, day close). Pages call the same services as
// the JSON API (http/api), never a copy of their rules. Every core flow works with JavaScript off.
//
// Also serves /static/* (the stylesheet) and /verify/{code} (HTML for people; JSON when the
// client sends Accept: application/json). See docs/web.md for cookies, CSRF and sessions.
// Thread-safe handlers.

#include <memory>

#include "http/api/api.h"
#include "http/router.h"
#include "web/page.h"

namespace palika::web {

namespace detail {
struct Site;
}

class Web {
 public:
  // `api` must outlive this.
  Web(http::ApiContext& api, WebOptions options);
  ~Web();
  Web(const Web&) = delete;
  Web& operator=(const Web&) = delete;

  // Adds the pages to router; their handlers refer to this Web, so keep it alive while the
  // router serves.
  void AddRoutes(http::Router& router);

 private:
  std::unique_ptr<detail::Site> site_;
};

}  // namespace palika::web
