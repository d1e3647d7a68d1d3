#pragma once
/// \file
/// URLs as they may appear in messages: without the credentials a user put in them.

#include <string>
#include <string_view>

namespace servokit::http {

/// `url` without a `user:password@` part in its authority: "https://u:p@host/x" becomes
/// "https://host/x". Everything else (path, query) is kept as written.
[[nodiscard]] inline std::string redact_url(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  const std::size_t authority_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  const std::size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_begin) return std::string(url);
  std::string redacted(url.substr(0, authority_begin));
  redacted.append(url.substr(at + 1));
  return redacted;
}

/// `text` with the credentials of every URL in it removed (for messages that quote URLs, such as
/// libcurl's about a proxy).
[[nodiscard]] inline std::string redact_urls_in(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t done = 0;
  for (std::size_t scheme_end = text.find("://"); scheme_end != std::string_view::npos;
       scheme_end = text.find("://", scheme_end + 3)) {
    const std::size_t authority_begin = scheme_end + 3;
    std::size_t authority_end = text.find_first_of("/?# \t\r\n'\"", authority_begin);
    if (authority_end == std::string_view::npos) authority_end = text.size();
    const std::size_t at = text.substr(authority_begin, authority_end - authority_begin).rfind('@');
    if (at == std::string_view::npos) continue;
    out.append(text.substr(done, authority_begin - done));
    done = authority_begin + at + 1;
  }
  out.append(text.substr(done));
  return out;
}

}  // namespace servokit::http
