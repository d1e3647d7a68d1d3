// Reading a child's output as lines: 1 GiB by default, through process::run with a line callback
// and the default capture, against the floor of plain read() calls on the same child's pipe.
//
// usage: bench-process_read [mebibytes] [line-length]
//        bench-process_read --write <bytes> <line-length>   (the child: writes lines to stdout)
// Prints the throughput of each (MB/s, 1 MB = 10^6 bytes) and this process's peak RSS; exits 1
// when line reading is below 500 MB/s or the peak RSS reaches 16 MiB.
#include <servokit/process/run.hpp>
#include <servokit/process/spawn.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace process = servokit::process;
using bench_clock = std::chrono::steady_clock;

namespace {

int write_lines(std::size_t total, std::size_t length) {
  std::string block;
  while (block.size() < (std::size_t{1} << 20)) block += std::string(length - 1, 'a') + '\n';
  block.resize(block.size() - block.size() % length);
  while (total > 0) {
    std::size_t now = std::min(total, block.size());
    const char* data = block.data();
    while (now > 0) {
      const ssize_t wrote = ::write(1, data, now);
      if (wrote <= 0) return 3;
      data += wrote;
      now -= static_cast<std::size_t>(wrote);
      total -= static_cast<std::size_t>(wrote);
    }
  }
  return 0;
}

process::command writer(std::size_t bytes, std::size_t length) {
  return process::command{"/proc/self/exe", "--write", std::to_string(bytes), std::to_string(length)};
}

double megabytes_per_second(std::uint64_t bytes, bench_clock::duration elapsed) {
  return static_cast<double>(bytes) / 1e6 / std::chrono::duration<double>(elapsed).count();
}

long peak_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--write") == 0) {
    return write_lines(std::strtoull(argv[2], nullptr, 10), std::strtoull(argv[3], nullptr, 10));
  }
  const std::size_t bytes = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024) << 20;
  const std::size_t length = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100;

  // Floor: the same child, its pipe drained with plain blocking read() into one buffer.
  const auto floor_start = bench_clock::now();
  process::spawned_process bare = process::spawn(writer(bytes, length), {process::stream_target::null,
                                                                         process::stream_target::pipe,
                                                                         process::stream_target::null});
  int flags = ::fcntl(bare.stdout_pipe.get(), F_GETFL);
  ::fcntl(bare.stdout_pipe.get(), F_SETFL, flags & ~O_NONBLOCK);
  std::vector<char> buffer(std::size_t{64} << 10);
  std::uint64_t floor_bytes = 0;
  for (ssize_t got; (got = ::read(bare.stdout_pipe.get(), buffer.data(), buffer.size())) > 0;) {
    floor_bytes += static_cast<std::uint64_t>(got);
  }
  ::waitpid(bare.pid, nullptr, 0);
  const double floor_rate = megabytes_per_second(floor_bytes, bench_clock::now() - floor_start);

  std::uint64_t lines = 0;
  std::uint64_t text_bytes = 0;  // without the '\n's
  process::child_options options;
  options.out.on_line = [&](const process::output_line& line) {
    ++lines;
    text_bytes += line.text.size();
  };
  const auto done = process::run(writer(bytes, length), std::move(options));
  const std::uint64_t full_lines = bytes / length;  // the last one may lack its '\n'
  if (!done.ok() || text_bytes != bytes - full_lines || lines != full_lines + (bytes % length != 0)) {
    std::fprintf(stderr, "wrong result: %s, %llu lines, %llu bytes\n", done.describe().c_str(),
                 static_cast<unsigned long long>(lines), static_cast<unsigned long long>(text_bytes));
    return 2;
  }
  const double rate = megabytes_per_second(bytes, done.elapsed);
  const double rss_mib = static_cast<double>(peak_rss_kib()) / 1024.0;

  std::printf("reading %zu MiB of %zu-byte lines from a child\n", bytes >> 20, length);
  std::printf("  plain read() floor              %8.0f MB/s\n", floor_rate);
  std::printf("  process::run + on_line          %8.0f MB/s   (limit >= 500; %.2f of the floor)\n", rate,
              rate / floor_rate);
  std::printf("  peak RSS of this process        %8.1f MiB   (limit < 16)\n", rss_mib);
  return rate >= 500 && rss_mib < 16 ? 0 : 1;
}
