// Child for the process layer tests: reads all of stdin while writing a given number of bytes to
// stdout and to stderr at the same time (one thread each), then reports on stdout how many bytes
// of stdin it read: "stdin-bytes=<n>". A parent that does not serve all three pipes at once
// deadlocks with it.
//
// usage: test-proc_flood <stdout-bytes> <stderr-bytes>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <thread>

namespace {

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t wrote = ::write(fd, data, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  return true;
}

// Lines of 64 bytes (63 letters and '\n'), the last one cut to fit `total` exactly.
void write_lines(int fd, std::size_t total, char letter) {
  std::string block;
  for (int line = 0; line < 1024; ++line) block += std::string(63, letter) + '\n';
  while (total > 0) {
    const std::size_t now = total < block.size() ? total : block.size();
    if (!write_all(fd, block.data(), now)) std::exit(3);
    total -= now;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const std::size_t stdout_bytes = std::strtoull(argv[1], nullptr, 10);
  const std::size_t stderr_bytes = std::strtoull(argv[2], nullptr, 10);

  std::size_t stdin_bytes = 0;
  std::thread reader([&stdin_bytes] {
    char buffer[65536];
    for (;;) {
      const ssize_t got = ::read(0, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return;
      stdin_bytes += static_cast<std::size_t>(got);
    }
  });
  std::thread error_writer([stderr_bytes] { write_lines(2, stderr_bytes, 'e'); });
  write_lines(1, stdout_bytes, 'o');
  reader.join();
  error_writer.join();
  const std::string report = "stdin-bytes=" + std::to_string(stdin_bytes) + "\n";
  return write_all(1, report.data(), report.size()) ? 0 : 3;
}
