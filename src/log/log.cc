#include "log/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "util/json_string.h"

namespace preflight::log {

namespace {

// Set on a thread while a DeferScope lives on it.
thread_local bool t_defer = false;

// Past this many bytes waiting, a deferred line is written at once with the rest.
constexpr std::size_t kMaxWaitingBytes = 64 * 1024;

// Writes all of [data, data + size) to stderr. A failed write (stderr closed, a broken pipe)
// drops the lines, as spdlog's stdio sink did.
void write_stderr(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(STDERR_FILENO, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;
    }
  }
}

// The sink every line goes through: formats the line (the logger's pattern) into one buffer
// and writes the buffer to descriptor 2 whole, at once or, for a line deferred on its thread,
// at the next flush(). The base class holds its mutex around both, so a line is never written
// in pieces between other threads' lines, and lines come out in the order they were logged.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Read without the mutex by flush(): a thread sees its own deferred lines (program order);
  // lines deferred by another thread are that thread's to flush.
  bool waiting() const { return waiting_.load(std::memory_order_relaxed); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    formatter_->format(msg, buffer_);
    if (t_defer && msg.level < spdlog::level::warn && buffer_.size() < kMaxWaitingBytes) {
      waiting_.store(true, std::memory_order_relaxed);
      return;
    }
    write_buffer();
  }
  void flush_() override { write_buffer(); }

 private:
  void write_buffer() {
    write_stderr(buffer_.data(), buffer_.size());
    buffer_.clear();  // keeps its capacity: the next turn's lines are not allocated again
    waiting_.store(false, std::memory_order_relaxed);
  }

  spdlog::memory_buf_t buffer_;
  std::atomic<bool> waiting_{false};
};

struct Output {
  std::shared_ptr<StderrSink> sink = std::make_shared<StderrSink>();
  spdlog::logger logger{"preflight", sink};
};

Output& output() {
  // Never destroyed: threads may still log while the process exits. What waits then is
  // written by the exit handler (a return from main or exit()).
  static Output* const instance = [] {
    auto* o = new Output;
    o->logger.set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                          spdlog::pattern_time_type::utc);
    o->logger.set_level(spdlog::level::info);
    std::atexit([] { flush(); });
    return o;
  }();
  return *instance;
}

spdlog::logger& logger() { return output().logger; }

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

DeferScope::DeferScope() : outer_(t_defer) { t_defer = true; }

DeferScope::~DeferScope() {
  t_defer = outer_;
  if (!outer_) flush();
}

void flush() {
  StderrSink& sink = *output().sink;
  if (sink.waiting()) sink.flush();
}

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
