#pragma once
// Structured logs: one JSON object per line on stderr, {"time","level","msg",...fields}.
// Callers pass identifying fields only: never a request body, an env value or a Secret.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the level ("debug", "info", "warn", "error"). Returns false for an unknown name.
bool init(std::string_view level);
bool enabled(Level level);

// The fields of one line written without a document (for the per-review line), in the order
// they are added. The nlohmann overload of write() orders its fields by key; a caller moved from
// it to Fields keeps its line the same by adding them in key order.
class Fields {
 public:
  Fields() { text_.reserve(256); }  // a review's line, without growing
  Fields& string(std::string_view key, std::string_view value);
  Fields& boolean(std::string_view key, bool value);
  Fields& integer(std::string_view key, long long value);
  Fields& strings(std::string_view key, const std::vector<std::string>& values);
  // `json`: one JSON value, already serialised.
  Fields& raw(std::string_view key, std::string_view json);
  const std::string& text() const { return text_; }  // ,"key":value...

 private:
  std::string& key(std::string_view key);
  std::string text_;
};

void write(Level level, std::string_view msg, const Fields& fields);
void write(Level level, std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());

inline void debug(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) { write(Level::kDebug, msg, f); }
inline void info(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) { write(Level::kInfo, msg, f); }
inline void info(std::string_view msg, const Fields& f) { write(Level::kInfo, msg, f); }
inline void warn(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) { write(Level::kWarn, msg, f); }
inline void error(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) { write(Level::kError, msg, f); }

}  // namespace preflight::log
