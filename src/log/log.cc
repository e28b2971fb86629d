#include "log/log.h"

#include <charconv>
#include <iterator>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "util/json_string.h"

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

std::string& Fields::key(std::string_view key) {
  text_.push_back(',');
  append_json_string(text_, key);
  text_.push_back(':');
  return text_;
}

Fields& Fields::string(std::string_view k, std::string_view value) {
  append_json_string(key(k), value);
  return *this;
}

Fields& Fields::boolean(std::string_view k, bool value) {
  key(k).append(value ? "true" : "false");
  return *this;
}

Fields& Fields::integer(std::string_view k, long long value) {
  char digits[24];
  auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), value);
  key(k).append(digits, end);
  return *this;
}

Fields& Fields::strings(std::string_view k, const std::vector<std::string>& values) {
  std::string& out = key(k);
  out.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, values[i]);
  }
  out.push_back(']');
  return *this;
}

Fields& Fields::raw(std::string_view k, std::string_view json) {
  key(k).append(json);
  return *this;
}

void write(Level level, std::string_view msg, const Fields& fields) {
  if (!enabled(level)) return;
  std::string line = "\"msg\":";
  line.reserve(line.size() + msg.size() + 2 + fields.text().size());
  append_json_string(line, msg);
  line.append(fields.text());
  // The pattern supplies the outer braces.
  logger().log(to_spd(level), "{}", line);
}

// "msg", then the fields in their json order.
void write(Level level, std::string_view msg, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  Fields line;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (it.key() == "msg") continue;  // the message is not a field
      line.raw(it.key(), it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
  write(level, msg, line);
}

}  // namespace preflight::log
