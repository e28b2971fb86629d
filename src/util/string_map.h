#pragma once
// A map from string to string kept as one vector sorted by key: the labels, annotations,
// node selector and resource quantities of a Workload. Those maps hold a handful of entries
// and are built once per review, then only read; a std::map spends an allocation and a
// rebalance per entry, this spends one allocation per map (plus the strings too long for
// std::string's inline buffer).
//
// It offers the part of std::map's interface the code uses, with std::map's meaning:
// iteration in key order with .first/.second (or structured bindings), find/contains/count
// by string_view, emplace and an initializer list that keep the first value of a key,
// operator[] that inserts an empty value, erase by key. Iterators are read-only (a key must
// not change in place: the order would break), and any insert or erase invalidates them.

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preflight {

class StringMap {
 public:
  using key_type = std::string;
  using mapped_type = std::string;
  using value_type = std::pair<std::string, std::string>;
  using size_type = std::size_t;
  using const_iterator = std::vector<value_type>::const_iterator;
  using iterator = const_iterator;

  StringMap() = default;
  // As std::map's: of two entries with one key, the first stays.
  StringMap(std::initializer_list<value_type> entries) {
    entries_.reserve(entries.size());
    for (const value_type& e : entries) emplace(e.first, e.second);
  }

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  bool empty() const { return entries_.empty(); }
  size_type size() const { return entries_.size(); }
  void reserve(size_type n) { entries_.reserve(n); }
  void clear() { entries_.clear(); }

  const_iterator find(std::string_view key) const {
    const_iterator it = lower_bound(key);
    return it != end() && it->first == key ? it : end();
  }
  bool contains(std::string_view key) const { return find(key) != end(); }
  size_type count(std::string_view key) const { return contains(key) ? 1 : 0; }
  const std::string& at(std::string_view key) const {
    const_iterator it = find(key);
    if (it == end()) throw std::out_of_range("StringMap::at");
    return it->second;
  }

  // Inserts (key, value) unless `key` is present; the entry of `key` and whether it is new.
  template <class K, class V>
  std::pair<const_iterator, bool> emplace(K&& key, V&& value) {
    const std::string_view k(key);
    const_iterator it = lower_bound(k);
    if (it != end() && it->first == k) return {it, false};
    it = entries_.emplace(it, std::string(std::forward<K>(key)),
                          std::string(std::forward<V>(value)));
    return {it, true};
  }
  // The value of `key`, inserted empty when missing.
  std::string& operator[](std::string_view key) {
    const auto [it, inserted] = emplace(key, std::string_view());
    return entries_[static_cast<size_type>(it - begin())].second;
  }
  size_type erase(std::string_view key) {
    const_iterator it = find(key);
    if (it == end()) return 0;
    entries_.erase(it);
    return 1;
  }

  friend bool operator==(const StringMap&, const StringMap&) = default;

 private:
  const_iterator lower_bound(std::string_view key) const {
    return std::lower_bound(begin(), end(), key,
                            [](const value_type& e, std::string_view k) { return e.first < k; });
  }

  std::vector<value_type> entries_;  // sorted by first, no key twice
};

}  // namespace preflight
