#pragma once
// A map from string to string kept as one vector sorted by key: the labels, annotations,
// node selector and resource quantities of a Workload. Those maps hold a handful of entries
// and are built once per review, then only read; a std::map spends an allocation and a
// rebalance per entry, this spends one allocation per map.
//
// Keys and values are views: the map does not own its text. A Workload's maps point into
// the document the Workload was read from or into its own copies (workload.h), and a map
// written by hand must point at text that outlives it (string literals, strings kept
// elsewhere). Passing a temporary std::string to emplace does not compile for that reason.
//
// It offers the part of std::map's interface the code uses, with std::map's meaning:
// iteration in key order with .first/.second (or structured bindings), find/contains/count
// by string_view, emplace and an initializer list that keep the first value of a key,
// operator[] that inserts an empty value, erase by key. Iterators are read-only (a key must
// not change in place: the order would break), and any insert or erase invalidates them.
// A reader that has all entries at once appends them and sorts once (append, sort_appended).

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace preflight {

class StringMap {
 public:
  using key_type = std::string_view;
  using mapped_type = std::string_view;
  using value_type = std::pair<std::string_view, std::string_view>;
  using size_type = std::size_t;
  using const_iterator = std::vector<value_type>::const_iterator;
  using iterator = const_iterator;

  StringMap() = default;
  // As std::map's: of two entries with one key, the first stays.
  StringMap(std::initializer_list<value_type> entries) {
    entries_.reserve(entries.size());
    for (const value_type& e : entries) emplace_view(e.first, e.second);
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
  std::string_view at(std::string_view key) const {
    const_iterator it = find(key);
    if (it == end()) throw std::out_of_range("StringMap::at");
    return it->second;
  }

  // Inserts (key, value) unless `key` is present; the entry of `key` and whether it is new.
  // Not from a temporary std::string: the map would point at freed text.
  template <class K, class V>
  std::pair<const_iterator, bool> emplace(K&& key, V&& value) {
    static_assert(!std::is_same_v<K, std::string> && !std::is_same_v<V, std::string>,
                  "a StringMap does not own its text: keep the string alive elsewhere");
    return emplace_view(key, value);
  }

  // The value of `key`, inserted empty when missing (not a temporary key, as for emplace).
  template <class K>
  std::string_view& operator[](K&& key) {
    static_assert(!std::is_same_v<K, std::string>,
                  "a StringMap does not own its text: keep the string alive elsewhere");
    const auto [it, inserted] = emplace_view(key, std::string_view());
    return entries_[static_cast<size_type>(it - begin())].second;
  }
  size_type erase(std::string_view key) {
    const_iterator it = find(key);
    if (it == end()) return 0;
    entries_.erase(it);
    return 1;
  }

  // Appends (key, value) out of order. The map is not usable until sort_appended() ran.
  void append(std::string_view key, std::string_view value) { entries_.emplace_back(key, value); }
  // Puts appended entries in key order and keeps the first appended of each key, as a series
  // of emplace calls would. Objects from Kubernetes come with their keys sorted already
  // (Go's encoding/json sorts map keys), so the common case is one pass that finds nothing
  // to do.
  void sort_appended() {
    const auto by_key = [](const value_type& a, const value_type& b) { return a.first < b.first; };
    const auto not_before = [](const value_type& a, const value_type& b) {
      return !(a.first < b.first);
    };
    if (std::adjacent_find(entries_.begin(), entries_.end(), not_before) == entries_.end()) {
      return;  // strictly increasing keys: sorted, none twice
    }
    if (entries_.size() <= kInsertionSortMax) {
      // Stable, and without the buffer std::stable_sort allocates: maps are small.
      for (size_type i = 1; i < entries_.size(); ++i) {
        const value_type e = entries_[i];
        size_type j = i;
        for (; j > 0 && e.first < entries_[j - 1].first; --j) entries_[j] = entries_[j - 1];
        entries_[j] = e;
      }
    } else {
      std::stable_sort(entries_.begin(), entries_.end(), by_key);
    }
    entries_.erase(std::unique(entries_.begin(), entries_.end(), same_key), entries_.end());
  }

  friend bool operator==(const StringMap&, const StringMap&) = default;

 private:
  static constexpr size_type kInsertionSortMax = 32;

  std::pair<const_iterator, bool> emplace_view(std::string_view key, std::string_view value) {
    const_iterator it = lower_bound(key);
    if (it != end() && it->first == key) return {it, false};
    it = entries_.emplace(it, key, value);
    return {it, true};
  }

  static bool same_key(const value_type& a, const value_type& b) { return a.first == b.first; }

  const_iterator lower_bound(std::string_view key) const {
    return std::lower_bound(begin(), end(), key,
                            [](const value_type& e, std::string_view k) { return e.first < k; });
  }

  std::vector<value_type> entries_;  // sorted by first, no key twice
};

}  // namespace preflight
