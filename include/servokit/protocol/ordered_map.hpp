#pragma once
/// @file
/// A string-keyed map that keeps insertion order, for JSON objects whose order a person reads:
/// components and settings appear in `--query` output in the order the config declared them.

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace servokit {

/// A map from string keys to `Value` that iterates in insertion order.
///
/// Lookups are linear: the objects of this protocol hold a handful to a few dozen keys, where a
/// vector beats a tree or a hash table and keeps the order for free.
template <class Value>
class ordered_map {
 public:
  using key_type = std::string;
  using mapped_type = Value;
  using value_type = std::pair<std::string, Value>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  ordered_map() = default;
  /// Builds the map from pairs; a later duplicate key replaces the earlier value.
  ordered_map(std::initializer_list<value_type> items) {
    for (const auto& item : items) insert_or_assign(item.first, item.second);
  }

  /// The element with `key`, or `end()`.
  iterator find(std::string_view key) {
    return std::find_if(items_.begin(), items_.end(), [&](const value_type& item) { return item.first == key; });
  }
  /// The element with `key`, or `end()`.
  const_iterator find(std::string_view key) const {
    return std::find_if(items_.begin(), items_.end(), [&](const value_type& item) { return item.first == key; });
  }
  /// Whether `key` is present.
  bool contains(std::string_view key) const { return find(key) != end(); }

  /// The value of `key`; throws `std::out_of_range` naming the key when it is absent.
  Value& at(std::string_view key) {
    auto found = find(key);
    if (found == end()) throw std::out_of_range("no key \"" + std::string(key) + "\"");
    return found->second;
  }
  /// The value of `key`; throws `std::out_of_range` naming the key when it is absent.
  const Value& at(std::string_view key) const {
    auto found = find(key);
    if (found == end()) throw std::out_of_range("no key \"" + std::string(key) + "\"");
    return found->second;
  }

  /// The value of `key`, appended value-initialized when absent.
  Value& operator[](std::string_view key) {
    auto found = find(key);
    if (found != end()) return found->second;
    return items_.emplace_back(std::string(key), Value{}).second;
  }

  /// Sets `key` to `value`, keeping the key's position when it already exists.
  Value& insert_or_assign(std::string_view key, Value value) {
    auto found = find(key);
    if (found != end()) {
      found->second = std::move(value);
      return found->second;
    }
    return items_.emplace_back(std::string(key), std::move(value)).second;
  }

  /// Removes `key`; returns whether it was present.
  bool erase(std::string_view key) {
    auto found = find(key);
    if (found == end()) return false;
    items_.erase(found);
    return true;
  }

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  /// The number of keys.
  std::size_t size() const { return items_.size(); }
  /// Whether the map has no keys.
  bool empty() const { return items_.empty(); }

  friend bool operator==(const ordered_map&, const ordered_map&) = default;

 private:
  std::vector<value_type> items_;
};

}  // namespace servokit
