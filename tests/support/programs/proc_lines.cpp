// Child for the process layer tests: writes output of a given shape as fast as it can.
//
// usage: test-proc_lines lines <total-bytes> <line-length>   lines of <line-length> bytes ('\n' included)
//        test-proc_lines long <bytes>                        <bytes> of 'x' with no newline, then "\nafter\n"
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

bool write_all(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t wrote = ::write(1, data, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  return true;
}

bool write_repeated(const std::string& block, std::size_t total) {
  while (total > 0) {
    const std::size_t now = total < block.size() ? total : block.size();
    if (!write_all(block.data(), now)) return false;
    total -= now;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "lines") == 0) {
    const std::size_t total = std::strtoull(argv[2], nullptr, 10);
    const std::size_t length = std::strtoull(argv[3], nullptr, 10);
    if (length == 0) return 2;
    std::string block;
    while (block.size() < (std::size_t{1} << 20)) block += std::string(length - 1, 'a') + '\n';
    block.resize(block.size() - block.size() % length);
    return write_repeated(block, total) ? 0 : 3;
  }
  if (argc == 3 && std::strcmp(argv[1], "long") == 0) {
    const std::size_t total = std::strtoull(argv[2], nullptr, 10);
    if (!write_repeated(std::string(std::size_t{1} << 16, 'x'), total)) return 3;
    return write_all("\nafter\n", 7) ? 0 : 3;
  }
  return 2;
}
