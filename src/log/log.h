#pragma once
// Structured logs: one JSON object per line on stderr, {"time","level","msg",...fields}.
// Callers pass identifying fields only: never a request body, an env value or a Secret.

#include <string_view>

#include <nlohmann/json.hpp>

namespace preflight::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the level ("debug", "info", "warn", "error"). Returns false for an unknown name.
bool init(std::string_view level);
bool enabled(Level level);
void write(Level level, std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());

inline void debug(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) { write(Level::kDebug, msg, f); }
inline void info(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) { write(Level::kInfo, msg, f); }
inline void warn(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) { write(Level::kWarn, msg, f); }
inline void error(std::string_view msg, const nlohmann::json& f = nlohmann::json::object()) { write(Level::kError, msg, f); }

}  // namespace preflight::log
