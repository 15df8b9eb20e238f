// Files compiled into the binary by cmake/embed.cmake (one file to deploy): templates, static assets, the
// demo articles and data files, each keyed "folder/name" (templates/article.mustache, assets/app.js,
// data/common-passwords.txt). Only assets/ is ever served to clients (web/pages.cpp).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tribune::embedded {

const std::map<std::string, std::string_view, std::less<>>& files();

// The bytes of one file (they live as long as the program), or nullopt.
std::optional<std::string_view> file(std::string_view name);

}  // namespace tribune::embedded
