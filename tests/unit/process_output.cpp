// The shapes in which the process layer hands output over: bounded lines, bounded captures, and
// the description of how a child ended.
#include <servokit/process/child.hpp>
#include <servokit/process/exit_status.hpp>
#include <servokit/process/output.hpp>
#include <servokit/process/run.hpp>

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>

#include <random>
#include <string>
#include <vector>

namespace process = servokit::process;

namespace {

struct piece {
  std::string text;
  bool continued;
  friend bool operator==(const piece&, const piece&) = default;
};

std::vector<piece> split(const std::vector<std::string>& chunks, std::size_t max_line_length) {
  std::vector<piece> pieces;
  process::line_splitter splitter(max_line_length);
  const auto collect = [&](const process::output_line& line) { pieces.push_back({std::string(line.text), line.continued}); };
  for (const auto& chunk : chunks) splitter.feed(chunk, collect);
  splitter.finish(collect);
  return pieces;
}

// What the splitter must produce, computed the slow obvious way from the whole stream.
std::vector<piece> reference_split(const std::string& stream, std::size_t max_line_length) {
  std::vector<piece> pieces;
  std::size_t begin = 0;
  while (begin < stream.size()) {
    std::size_t end = stream.find('\n', begin);
    const bool terminated = end != std::string::npos;
    if (!terminated) end = stream.size();
    std::string line = stream.substr(begin, end - begin);
    while (line.size() > max_line_length) {
      pieces.push_back({line.substr(0, max_line_length), true});
      line.erase(0, max_line_length);
    }
    pieces.push_back({line, false});
    begin = end + 1;
  }
  return pieces;
}

}  // namespace

TEST_CASE("lines are split at '\\n' whatever the chunking, the last one even without '\\n'") {
  CHECK(split({"one\ntw", "o\n", "\nthree"}, 100) ==
        std::vector<piece>{{"one", false}, {"two", false}, {"", false}, {"three", false}});
  CHECK(split({"a\r\n"}, 100) == std::vector<piece>{{"a\r", false}});
  CHECK(split({}, 100).empty());
  CHECK(split({"", ""}, 100).empty());
}

TEST_CASE("a line longer than the limit comes in pieces of the limit, all but the last continued") {
  CHECK(split({"abcdefghij\n"}, 4) == std::vector<piece>{{"abcd", true}, {"efgh", true}, {"ij", false}});
  CHECK(split({"ab", "cd", "ef", "gh\nx"}, 4) ==
        std::vector<piece>{{"abcd", true}, {"efgh", false}, {"x", false}});
  CHECK(split({"abcd\n"}, 4) == std::vector<piece>{{"abcd", false}});
  CHECK(split({"abcdefgh"}, 4) == std::vector<piece>{{"abcd", true}, {"efgh", false}});
}

TEST_CASE("the splitter agrees with the obvious definition on random streams and chunkings") {
  std::mt19937 random(12345);
  for (int round = 0; round < 2000; ++round) {
    std::string stream;
    const int length = std::uniform_int_distribution(0, 60)(random);
    for (int i = 0; i < length; ++i) stream += std::uniform_int_distribution(0, 5)(random) == 0 ? '\n' : 'x';
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t size = std::uniform_int_distribution<std::size_t>(1, 9)(random);
      chunks.push_back(stream.substr(at, size));
      at += size;
    }
    const std::size_t limit = std::uniform_int_distribution<std::size_t>(1, 12)(random);
    REQUIRE(split(chunks, limit) == reference_split(stream, limit));
  }
}

TEST_CASE("a capture keeps the whole stream while it fits") {
  process::captured_output capture({10, process::keep::tail});
  capture.append("hello\n");
  capture.append("you");
  CHECK(capture.text() == "hello\nyou");
  CHECK_FALSE(capture.truncated());
  CHECK(capture.total_bytes() == 9);
  CHECK(capture.lines() == std::vector<std::string>{"hello", "you"});
}

TEST_CASE("a capture over its limit keeps the head, the tail, or both, and counts the rest") {
  const std::string stream = "0123456789abcdefghij";  // 20 bytes, fed in uneven chunks
  const auto feed = [&](process::captured_output& capture) {
    for (std::size_t at = 0; at < stream.size(); at += 3) capture.append(std::string_view(stream).substr(at, 3));
  };
  process::captured_output head({8, process::keep::head});
  feed(head);
  CHECK(head.text() == "01234567");
  CHECK(head.dropped_bytes() == 12);

  process::captured_output tail({8, process::keep::tail});
  feed(tail);
  CHECK(tail.text() == "cdefghij");
  CHECK(tail.tail() == "cdefghij");
  CHECK(tail.truncated());
  CHECK(tail.total_bytes() == 20);

  process::captured_output both({8, process::keep::head_and_tail});
  feed(both);
  CHECK(both.head() == "0123");
  CHECK(both.tail() == "ghij");
  CHECK(both.text() == "0123\n[... 12 bytes omitted ...]\nghij");

  process::captured_output nothing({0, process::keep::tail});
  feed(nothing);
  CHECK(nothing.text().empty());
  CHECK(nothing.total_bytes() == 20);

  process::captured_output big_chunk({4, process::keep::tail});
  big_chunk.append("ab");
  big_chunk.append(stream);
  CHECK(big_chunk.text() == "ghij");
}

TEST_CASE("how a process ended reads naturally") {
  CHECK(process::exit_status::from_wait_status(W_EXITCODE(3, 0)).describe() == "exited with code 3");
  CHECK(process::exit_status::from_wait_status(W_EXITCODE(0, 0)).success());
  const auto killed = process::exit_status::from_wait_status(SIGKILL);
  CHECK(killed.signaled());
  CHECK(killed.signal() == SIGKILL);
  CHECK(killed.code() == -1);
  CHECK(killed.describe() == "killed by SIGKILL");
  CHECK(process::exit_status::from_wait_status(SIGSEGV | WCOREFLAG).describe() == "killed by SIGSEGV (core dumped)");
  CHECK(process::exit_status().describe() == "still running");
  CHECK(process::signal_name(SIGUSR1) == "SIGUSR1");
  CHECK(process::signal_name(SIGRTMIN + 2) == "SIGRTMIN+2");
}

TEST_CASE("a child's endless line is delivered in pieces of at most the limit, memory bounded") {
  const std::size_t limit = std::size_t{1} << 20;
  const std::size_t long_line = 5 * limit / 2;  // 2.5 MiB without a newline
  std::vector<std::size_t> piece_sizes;
  std::vector<bool> continued;
  std::vector<std::string> short_lines;
  process::child_options options;
  options.out.capture = {0, process::keep::tail};
  options.out.on_line = [&](const process::output_line& line) {
    if (line.text.find('x') != std::string_view::npos) {
      piece_sizes.push_back(line.text.size());
      continued.push_back(line.continued);
    } else {
      short_lines.emplace_back(line.text);
    }
  };
  const auto done = process::run({SERVOKIT_TEST_HELPER_DIR "/test-proc_lines", "long", std::to_string(long_line)},
                                 std::move(options));
  REQUIRE(done.ok());
  CHECK(piece_sizes == std::vector<std::size_t>{limit, limit, limit / 2});
  CHECK(continued == std::vector<bool>{true, true, false});
  CHECK(short_lines == std::vector<std::string>{"after"});
  CHECK(done.out.total_bytes() == long_line + 7);
}

TEST_CASE("the line limit is configurable per stream") {
  process::child_options options;
  options.err.max_line_length = 4;
  std::vector<std::string> pieces;
  options.err.on_line = [&](const process::output_line& line) { pieces.emplace_back(line.text); };
  const auto done = process::run(process::command::shell("printf 'abcdefghij\\nok\\n' >&2"), std::move(options));
  CHECK(done.ok());
  CHECK(pieces == std::vector<std::string>{"abcd", "efgh", "ij", "ok"});
  CHECK(done.err.text() == "abcdefghij\nok\n");
}
