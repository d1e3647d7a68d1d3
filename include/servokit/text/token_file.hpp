#pragma once
/// @file
/// The one reader of a bearer-token file, shared by the agent (`--auth-token`) and
/// `servokit-optimizer` (`--auth-token`), so that the same file gives the same token on both
/// sides of the wire.

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace servokit {

/// A token file that cannot be used; `what()` names the file and never its content.
class token_file_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The token in `path`: the file's content without leading and trailing blanks (spaces, tabs,
/// CR, LF), as `echo token > file` and editors write it. Throws `token_file_error` when the file
/// cannot be read, holds nothing, or holds a line break, a control character or a blank inside
/// the token (which no HTTP header can carry).
inline std::string read_token_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw token_file_error("cannot read the auth token file " + path + ": " + std::strerror(errno));
  std::ostringstream content;
  content << file.rdbuf();
  const std::string text = content.str();
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::string_view token = text;
  while (!token.empty() && blank(token.front())) token.remove_prefix(1);
  while (!token.empty() && blank(token.back())) token.remove_suffix(1);
  if (token.empty()) throw token_file_error("the auth token file " + path + " is empty");
  for (const char c : token) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte == 0x7f) {
      throw token_file_error("the auth token file " + path +
                             " holds a blank, a line break or a control character inside the token");
    }
  }
  return std::string(token);
}

}  // namespace servokit
