#include "web/assets.h"

#include <algorithm>

namespace palika::web {
namespace detail {
// Defined in the generated web_assets_data.cc.
const std::vector<std::pair<std::string_view, std::string_view>>& EmbeddedAssets();
}  // namespace detail

const std::vector<std::pair<std::string_view, std::string_view>>& Assets() {
  return detail::EmbeddedAssets();
}

std::optional<std::string_view> Asset(std::string_view path) {
  const auto& all = Assets();
  auto it = std::lower_bound(all.begin(), all.end(), path,
                             [](const auto& entry, std::string_view p) { return entry.first < p; });
  if (it == all.end() || it->first != path) return std::nullopt;
  return it->second;
}

}  // namespace palika::web
