#pragma once
// The files of web/ (templates/, static/, i18n/), compiled into the binary at build time by
// embed_assets.cmake, so that `palika serve` needs nothing beside it. Paths are relative to web/,
// e.g. "templates/layout.html". Thread-safe (read-only data).

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace palika::web {

// The bytes of an embedded file; nullopt if there is none at that path.
std::optional<std::string_view> Asset(std::string_view path);

// Every embedded file, sorted by path.
const std::vector<std::pair<std::string_view, std::string_view>>& Assets();

}  // namespace palika::web
