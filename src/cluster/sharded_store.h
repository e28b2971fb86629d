#pragma once
// ShardedStore: the per-resource bookkeeping that ClusterStore (reference state) and
// WorkloadStore (workloads for the audits) share. One shard per resource, each a map
// "namespace/name" -> Value under its own shared_mutex, with the resource's sync state:
// - replace() swaps in a whole set (after a list) and marks the resource synced; the old set is
//   freed after the lock is released;
// - set_unsynced() makes it unsynced with a reason; set_stale_reason() changes only the reason
//   (synced but stale: a broken watch keeps answering from the last state);
// - read() runs a function under the shard's shared lock (lookups, copies for a snapshot).
// What a key means for a resource (Nodes have no namespace, a workload's empty namespace is
// "default") is the caller's business: it builds keys with key_of().

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace preflight::cluster {

template <typename Resource, typename Value, std::size_t N>
class ShardedStore {
 public:
  // Transparent hashing: lookups may compose "ns/name" in a stack buffer, no allocation.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Value, KeyHash, std::equal_to<>>;
  struct Shard {
    Map objects;  // "ns/name"
    bool synced = false;
    std::string reason = "not loaded yet";
  };

  static std::string key_of(std::string_view ns, std::string_view name) {
    std::string key;
    key.reserve(ns.size() + name.size() + 1);
    key.append(ns).push_back('/');
    key.append(name);
    return key;
  }

  void replace(Resource r, Map objects) {
    Slot& s = slot(r);
    std::unique_lock lock(s.mu);
    s.shard.objects.swap(objects);
    s.shard.synced = true;
    s.shard.reason.clear();
    lock.unlock();  // `objects` (the old state) is freed outside the lock
  }
  void upsert(Resource r, std::string key, Value value) {
    Slot& s = slot(r);
    std::unique_lock lock(s.mu);
    s.shard.objects.insert_or_assign(std::move(key), std::move(value));
  }
  void erase(Resource r, std::string_view key) {
    Slot& s = slot(r);
    std::unique_lock lock(s.mu);
    if (auto it = s.shard.objects.find(key); it != s.shard.objects.end()) s.shard.objects.erase(it);
  }
  void set_unsynced(Resource r, std::string reason) {
    Slot& s = slot(r);
    std::unique_lock lock(s.mu);
    s.shard.synced = false;
    s.shard.reason = std::move(reason);
  }
  void set_stale_reason(Resource r, std::string reason) {
    Slot& s = slot(r);
    std::unique_lock lock(s.mu);
    s.shard.reason = std::move(reason);
  }

  // f(const Shard&) under the shard's shared lock; returns what f returns.
  template <typename F>
  decltype(auto) read(Resource r, F&& f) const {
    const Slot& s = slot(r);
    std::shared_lock lock(s.mu);
    return std::forward<F>(f)(static_cast<const Shard&>(s.shard));
  }
  bool synced(Resource r) const {
    return read(r, [](const Shard& s) { return s.synced; });
  }
  std::size_t size(Resource r) const {
    return read(r, [](const Shard& s) { return s.objects.size(); });
  }
  std::string reason(Resource r) const {
    return read(r, [](const Shard& s) { return s.reason; });
  }

 private:
  struct Slot {
    mutable std::shared_mutex mu;
    Shard shard;
  };
  Slot& slot(Resource r) { return slots_[static_cast<std::size_t>(r)]; }
  const Slot& slot(Resource r) const { return slots_[static_cast<std::size_t>(r)]; }

  std::array<Slot, N> slots_;
};

}  // namespace preflight::cluster
