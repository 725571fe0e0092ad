#include "web/web.h"

#include "web/assets.h"
#include "web/routes.h"

namespace palika::web {

namespace {

std::string_view ContentType(std::string_view path) {
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

Web::Web(http::ApiContext& api, WebOptions options)
    : site_(std::make_unique<detail::Site>(
          detail::Site{api, options, std::make_unique<DemandJobs>(api.ledgers)})) {}
Web::~Web() = default;

void Web::AddRoutes(http::Router& router) {
  detail::AddCitizenPages(router, *site_);
  detail::AddStaffPages(router, *site_);
  detail::AddVerifyPage(router, *site_);
  detail::AddReportPages(router, *site_);
  detail::AddOnlinePayPages(router, *site_);
  if (site_->options.sandbox != nullptr) detail::AddSandboxGatewayPages(router, *site_);
  detail::AddOfficePages(router, *site_);
  detail::AddOfficeAdminPages(router, *site_);
  router.Add("GET", "/static/{file}", [](http::Request& req) -> http::Response {
    const std::string path = "static/" + req.Param("file");
    auto bytes = Asset(path);
    if (!bytes) {
      return http::Response::Error(
          Status::NotFound("not_found", "No such file.", "ऐसी कोई फ़ाइल नहीं है।"));
    }
    http::Response r =
        http::Response::Text(200, std::string(*bytes), std::string(ContentType(path)));
    r.With("Cache-Control", "public, max-age=3600");
    return r;
  });
}

}  // namespace palika::web
