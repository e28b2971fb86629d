#pragma once
// An nlohmann::json seen through the interface of json_view::Value, so code that reads a
// document (workload_from_json, decode_review) is written once for both readers.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace preflight {

class JsonRef {
 public:
  explicit JsonRef(const nlohmann::json& j) : j_(&j) {}

  bool is_null() const { return j_->is_null(); }
  bool is_object() const { return j_->is_object(); }
  bool is_array() const { return j_->is_array(); }
  bool is_string() const { return j_->is_string(); }
  bool is_number() const { return j_->is_number(); }
  bool is_boolean() const { return j_->is_boolean(); }
  std::string_view string() const { return j_->get_ref<const std::string&>(); }
  bool boolean() const { return j_->get<bool>(); }
  std::size_t size() const { return j_->size(); }
  JsonRef operator[](std::size_t i) const { return JsonRef((*j_)[i]); }
  std::optional<JsonRef> find(std::string_view key) const {
    auto it = j_->find(key);
    if (it == j_->end()) return std::nullopt;
    return JsonRef(*it);
  }
  template <class F>
  void for_each_member(F&& f) const {
    for (auto it = j_->begin(); it != j_->end(); ++it) f(std::string_view(it.key()), JsonRef(*it));
  }
  std::string dump() const { return j_->dump(); }

 private:
  const nlohmann::json* j_;
};

}  // namespace preflight
