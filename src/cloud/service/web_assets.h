// The security-info page's static resources, compiled into the binary (web_assets.cc):
// one HTML document that loads one script and one style sheet from the same origin.
#pragma once

#include <string_view>

namespace kb::cloud {

std::string_view security_info_html();
std::string_view security_info_js();
std::string_view security_info_css();

}  // namespace kb::cloud
