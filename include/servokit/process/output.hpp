#pragma once
/// \file
/// A child's output as the process layer hands it over: lines with a bounded length, and a
/// capture of bounded size that keeps the head and/or the tail of a stream.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace servokit::process {

/// Longest line delivered whole by default (1 MiB); longer ones arrive in pieces.
inline constexpr std::size_t default_max_line_length = std::size_t{1} << 20;
/// Bytes of a stream kept by default for the completion (2 MiB).
inline constexpr std::size_t default_capture_bytes = std::size_t{2} << 20;

/// One line of output without its '\n' (a '\r' before it is kept: bytes are not interpreted).
/// A line longer than the limit is delivered as consecutive pieces of at most the limit: every
/// piece but the last has `continued` set, so memory stays bounded whatever the child writes
/// and a reader can still tell an overlong line from normal ones (and reject or join it).
/// `text` points into a read buffer: valid during the callback only, copy what must be kept.
struct output_line {
  std::string_view text;   ///< The line, or one piece of an overlong line.
  bool continued = false;  ///< More of the same line follows in the next delivery.
};

/// Cuts a byte stream into lines, holding at most `max_line_length` bytes of an unfinished line.
class line_splitter {
 public:
  /// `max_line_length` is at least 1.
  explicit line_splitter(std::size_t max_line_length = default_max_line_length)
      : max_line_length_(std::max<std::size_t>(1, max_line_length)) {}

  /// Hands every line completed by `chunk` to `deliver(const output_line&)`; lines lying wholly
  /// inside `chunk` are passed without copying.
  template <class Deliver>
  void feed(std::string_view chunk, Deliver&& deliver) {
    while (!chunk.empty()) {
      const std::size_t newline = chunk.find('\n');
      if (newline == std::string_view::npos) {
        append_bounded(chunk, deliver);
        return;
      }
      const std::string_view end_of_line = chunk.substr(0, newline);
      chunk.remove_prefix(newline + 1);
      if (pending_.empty()) {
        deliver_whole(end_of_line, deliver);
      } else {
        append_bounded(end_of_line, deliver);
        deliver(output_line{pending_, false});
        pending_.clear();
      }
    }
  }

  /// At end of stream: delivers a last line that had no '\n'.
  template <class Deliver>
  void finish(Deliver&& deliver) {
    if (pending_.empty()) return;
    deliver(output_line{pending_, false});
    pending_.clear();
  }

  /// The limit in force.
  [[nodiscard]] std::size_t max_line_length() const noexcept { return max_line_length_; }

 private:
  template <class Deliver>
  void deliver_whole(std::string_view line, Deliver& deliver) {
    while (line.size() > max_line_length_) {
      deliver(output_line{line.substr(0, max_line_length_), true});
      line.remove_prefix(max_line_length_);
    }
    deliver(output_line{line, false});
  }

  template <class Deliver>
  void append_bounded(std::string_view data, Deliver& deliver) {
    while (pending_.size() + data.size() > max_line_length_) {
      const std::size_t room = max_line_length_ - pending_.size();
      pending_.append(data.substr(0, room));
      data.remove_prefix(room);
      deliver(output_line{pending_, true});
      pending_.clear();
    }
    pending_.append(data);
  }

  std::size_t max_line_length_;
  std::string pending_;
};

/// Which part of a stream survives when it is longer than its capture limit.
enum class keep {
  head,           ///< The first bytes (the start of a log).
  tail,           ///< The last bytes (the agent's "end of stderr", batch's "end of stdout").
  head_and_tail,  ///< Half the limit each.
};

/// How much of a stream the completion keeps in memory; `max_bytes = 0` keeps nothing.
struct capture_limit {
  std::size_t max_bytes = default_capture_bytes;  ///< Upper bound on the bytes kept.
  keep part = keep::tail;                         ///< Which bytes are kept when there are more.
};

/// A stream kept within a `capture_limit`: the whole stream when it fits, otherwise its head,
/// its tail or both, and the count of everything that went by.
class captured_output {
 public:
  /// Keeps nothing until given a limit.
  captured_output() : captured_output(capture_limit{0, keep::tail}) {}
  /// Keeps what `limit` says.
  explicit captured_output(capture_limit limit) : limit_(limit) {
    switch (limit.part) {
      case keep::head: head_limit_ = limit.max_bytes; break;
      case keep::tail: tail_limit_ = limit.max_bytes; break;
      case keep::head_and_tail:
        head_limit_ = limit.max_bytes / 2;
        tail_limit_ = limit.max_bytes - head_limit_;
        break;
    }
  }

  /// Takes the next bytes of the stream. Amortised O(size): the tail buffer is trimmed only
  /// when it reaches twice its limit.
  void append(std::string_view data) {
    total_bytes_ += data.size();
    if (head_.size() < head_limit_) {
      const std::size_t taken = std::min(data.size(), head_limit_ - head_.size());
      head_.append(data.substr(0, taken));
      data.remove_prefix(taken);
    }
    if (tail_limit_ == 0 || data.empty()) return;
    if (data.size() >= tail_limit_) {
      tail_.assign(data.substr(data.size() - tail_limit_));
      return;
    }
    if (tail_.size() + data.size() > 2 * tail_limit_) tail_.erase(0, tail_.size() - tail_limit_);
    tail_.append(data);
  }

  /// The first bytes kept (empty unless the limit keeps a head).
  [[nodiscard]] std::string_view head() const noexcept { return head_; }
  /// The last bytes kept (empty unless the limit keeps a tail).
  [[nodiscard]] std::string_view tail() const noexcept {
    const std::string_view all(tail_);
    return all.size() > tail_limit_ ? all.substr(all.size() - tail_limit_) : all;
  }
  /// Everything kept: the whole stream when nothing was dropped. With `keep::head_and_tail` and a
  /// gap, the two parts are joined by a line "[... N bytes omitted ...]" so the cut is visible.
  [[nodiscard]] std::string text() const {
    std::string result(head_);
    if (limit_.part == keep::head_and_tail && dropped_bytes() > 0) {
      result += "\n[... " + std::to_string(dropped_bytes()) + " bytes omitted ...]\n";
    }
    result.append(tail());
    return result;
  }
  /// Splits `text()` into lines (a last line without '\n' included). After a cut, the line at the
  /// cut is partial.
  [[nodiscard]] std::vector<std::string> lines() const {
    std::vector<std::string> result;
    line_splitter splitter(SIZE_MAX);
    const auto keep_line = [&](const output_line& line) { result.emplace_back(line.text); };
    splitter.feed(text(), keep_line);
    splitter.finish(keep_line);
    return result;
  }
  /// Bytes the stream carried in all.
  [[nodiscard]] std::uint64_t total_bytes() const noexcept { return total_bytes_; }
  /// Bytes that went by but were not kept.
  [[nodiscard]] std::uint64_t dropped_bytes() const noexcept {
    return total_bytes_ - head_.size() - tail().size();
  }
  /// Whether anything was dropped.
  [[nodiscard]] bool truncated() const noexcept { return dropped_bytes() > 0; }
  /// The limit it was made with.
  [[nodiscard]] const capture_limit& limit() const noexcept { return limit_; }

 private:
  capture_limit limit_;
  std::size_t head_limit_ = 0;
  std::size_t tail_limit_ = 0;
  std::string head_;
  std::string tail_;  // up to twice tail_limit_; tail() shows the last tail_limit_ bytes
  std::uint64_t total_bytes_ = 0;
};

}  // namespace servokit::process
