#include "log/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace preflight::log {

namespace {
spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_logger_mt("preflight");
    l->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                   spdlog::pattern_time_type::utc);
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return *instance;
}

spdlog::level::level_enum to_spd(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}
}  // namespace

bool init(std::string_view level) {
  Level l;
  if (level == "debug") l = Level::kDebug;
  else if (level == "info") l = Level::kInfo;
  else if (level == "warn" || level == "warning") l = Level::kWarn;
  else if (level == "error") l = Level::kError;
  else return false;
  logger().set_level(to_spd(l));
  return true;
}

bool enabled(Level level) { return logger().should_log(to_spd(level)); }

// The line is appended member by member rather than copied into an ordered document first
// (every review logs one): "msg", then the fields in their json order.
void write(Level level, std::string_view msg, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  using nlohmann::json;
  std::string line = "\"msg\":";
  line.append(json(msg).dump(-1, ' ', false, kReplace));
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (it.key() == "msg") continue;  // the message is not a field
      line.push_back(',');
      line.append(json(it.key()).dump(-1, ' ', false, kReplace)).push_back(':');
      line.append(it->dump(-1, ' ', false, kReplace));
    }
  }
  // The pattern supplies the outer braces.
  logger().log(to_spd(level), "{}", line);
}

}  // namespace preflight::log
