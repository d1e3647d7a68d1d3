#pragma once
/// @file
/// Extracting metrics from a job's stdout as it streams by, in bounded memory however much the job
/// prints.
///
/// Matching semantics (documented in README.md): stdout is taken line by line; for each metric
/// the first line its regex matches anywhere in (like Python's `re.search` on each line) gives
/// the value: the regex's first group, or the whole match when it has no group. `^` and `$`
/// match at the start and end of each line; nothing matches across a newline. A line longer than
/// `max_line_length` (1 MiB) is searched in pieces of that size. Once every metric has its value
/// the rest of the output is only counted.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "batch_config.hpp"

namespace batch {

/// Scans a stream for the first match of each metric's regex.
class output_scanner {
 public:
  /// Looks for each of `metrics` (which must outlive the scanner).
  explicit output_scanner(std::vector<const compiled_metric*> metrics, std::size_t max_line_length = std::size_t{1} << 20)
      : metrics_(std::move(metrics)), found_(metrics_.size()), max_line_length_(max_line_length) {
    unmatched_ = metrics_.size();
  }

  /// Takes the next bytes of the stream.
  void feed(std::string_view chunk) {
    bytes_ += chunk.size();
    if (unmatched_ == 0) return;
    const std::size_t first_newline = chunk.find('\n');
    if (first_newline == std::string_view::npos) {
      append_partial(chunk);
      return;
    }
    // The line that began in an earlier chunk ends here: complete it and search it.
    if (!partial_.empty()) {
      partial_.append(chunk.substr(0, first_newline));
      search(partial_);
      partial_.clear();
    } else {
      search(chunk.substr(0, first_newline));
    }
    // Whole lines in this chunk are searched in place, in one pass per regex.
    const std::size_t last_newline = chunk.rfind('\n');
    if (last_newline > first_newline) search(chunk.substr(first_newline + 1, last_newline - first_newline - 1));
    append_partial(chunk.substr(last_newline + 1));
  }

  /// At the end of the stream: searches a last line that had no newline.
  void finish() {
    if (!partial_.empty() && unmatched_ > 0) search(partial_);
    partial_.clear();
  }

  /// The value found for metric `index` (in the order given), if any.
  const std::optional<std::string>& found(std::size_t index) const { return found_[index]; }
  /// Bytes seen in all.
  std::uint64_t bytes() const { return bytes_; }

 private:
  void append_partial(std::string_view data) {
    while (partial_.size() + data.size() > max_line_length_) {
      const std::size_t room = max_line_length_ - partial_.size();
      partial_.append(data.substr(0, room));
      data.remove_prefix(room);
      search(partial_);
      partial_.clear();
    }
    partial_.append(data);
  }

  /// Searches `text` (one or more whole lines, without the last newline) for every metric still
  /// unmatched; the leftmost match is on the earliest line that has one.
  void search(std::string_view text) {
    if (unmatched_ == 0) return;
    for (std::size_t i = 0; i < metrics_.size(); ++i) {
      if (found_[i]) continue;
      const compiled_metric& metric = *metrics_[i];
      if (!metric.candidate) {
        found_[i] = first_match(*metric.regex, text);
      } else {
        // Each line the relaxed regex finds is checked with the real one, until one passes.
        for (std::size_t from = 0; from <= text.size() && !found_[i];) {
          re2::StringPiece hit;
          const re2::StringPiece piece(text.data(), text.size());
          if (!metric.candidate->Match(piece, from, piece.size(), re2::RE2::UNANCHORED, &hit, 1)) break;
          const auto hit_at = static_cast<std::size_t>(hit.data() - text.data());
          const std::size_t line_start = hit_at == 0 ? 0 : text.rfind('\n', hit_at - 1) + 1;
          std::size_t line_end = text.find('\n', hit_at);
          if (line_end == std::string_view::npos) line_end = text.size();
          found_[i] = first_match(*metric.regex, text.substr(line_start, line_end - line_start));
          from = line_end + 1;
        }
      }
      if (found_[i]) --unmatched_;
    }
  }

  /// The first group (or the whole match) of `regex`'s leftmost match in `text`, if any.
  static std::optional<std::string> first_match(const re2::RE2& regex, std::string_view text) {
    const re2::StringPiece piece(text.data(), text.size());
    const int group = regex.NumberOfCapturingGroups() > 0 ? 1 : 0;
    re2::StringPiece groups[2];
    if (!regex.Match(piece, 0, piece.size(), re2::RE2::UNANCHORED, groups, group + 1)) return std::nullopt;
    // A group that took no part in the match is empty, as Python's would be None: say "".
    return groups[group].data() ? std::string(groups[group].data(), groups[group].size()) : std::string();
  }

  std::vector<const compiled_metric*> metrics_;
  std::vector<std::optional<std::string>> found_;
  std::size_t unmatched_ = 0;
  std::size_t max_line_length_;
  std::string partial_;
  std::uint64_t bytes_ = 0;
};

}  // namespace batch
