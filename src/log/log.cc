#include "log/log.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <mutex>
#include <utility>

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

// The level as lines carry it: spdlog's names, which the lines had when spdlog wrote them
// ("warning", not "warn").
std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

// Where every line goes. A line is formatted straight into the buffer of lines not yet written,
// under the mutex, and the buffer is written to descriptor 2 whole, at once or, for a line
// deferred on its thread, at the next flush(): a line is never written in pieces between other
// threads' lines, and lines come out in the order they were logged. (The lines were written by
// spdlog with the pattern {"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v}; its formatting was
// most of a review line's cost, ~6 k instructions. The bytes are the same.)
class Output {
 public:
  std::atomic<Level> level{Level::kInfo};

  // Read without the mutex by flush(): a thread sees its own deferred lines (program order);
  // lines deferred by another thread are that thread's to flush.
  bool waiting() const { return waiting_.load(std::memory_order_relaxed); }

  // One line: {"time":"...","level":"...","msg":<msg><fields>}.
  void line(Level lv, std::string_view msg, std::string_view fields) {
    std::lock_guard lock(mu_);
    append_prefix(lv);
    append_json_string(buffer_, msg);
    buffer_.append(fields);
    buffer_.append("}\n");
    if (t_defer && lv < Level::kWarn && buffer_.size() < kMaxWaitingBytes) {
      waiting_.store(true, std::memory_order_relaxed);
      return;
    }
    write_buffer();
  }

  void flush() {
    std::lock_guard lock(mu_);
    write_buffer();
  }

 private:
  // {"time":"2026-11-29T15:08:32.005325Z","level":"info","msg": with the time of now, in UTC.
  void append_prefix(Level lv) {
    using namespace std::chrono;
    const system_clock::time_point now = system_clock::now();
    const auto since_epoch = now.time_since_epoch();
    const long long second = duration_cast<seconds>(since_epoch).count();
    if (second != cached_second_) {
      // The date and time to the second change once a second: formatted then, not per line.
      const std::time_t t = static_cast<std::time_t>(second);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char* p = std::to_chars(cached_time_, cached_time_ + 12, tm.tm_year + 1900).ptr;
      for (const auto& [sep, value] : {std::pair{'-', tm.tm_mon + 1}, std::pair{'-', tm.tm_mday},
                                       std::pair{'T', tm.tm_hour}, std::pair{':', tm.tm_min},
                                       std::pair{':', tm.tm_sec}}) {
        *p++ = sep;
        *p++ = static_cast<char>('0' + value / 10);
        *p++ = static_cast<char>('0' + value % 10);
      }
      cached_time_size_ = static_cast<std::size_t>(p - cached_time_);
      cached_second_ = second;
    }
    // Put together on the stack and appended once: piece by piece costs three times as much.
    char prefix[128];
    char* p = prefix;
    const auto put = [&p](std::string_view s) { p = std::copy(s.begin(), s.end(), p); };
    put("{\"time\":\"");
    put(std::string_view(cached_time_, cached_time_size_));
    *p++ = '.';
    long long micros = (duration_cast<microseconds>(since_epoch) - seconds(second)).count();
    for (int i = 5; i >= 0; --i) {
      p[i] = static_cast<char>('0' + micros % 10);
      micros /= 10;
    }
    p += 6;
    put("Z\",\"level\":\"");
    put(level_name(lv));
    put("\",\"msg\":");
    buffer_.append(prefix, p);
  }

  void write_buffer() {
    write_stderr(buffer_.data(), buffer_.size());
    buffer_.clear();  // keeps its capacity: the next turn's lines are not allocated again
    waiting_.store(false, std::memory_order_relaxed);
  }

  std::mutex mu_;
  std::string buffer_;  // lines not yet written
  std::atomic<bool> waiting_{false};
  long long cached_second_ = LLONG_MIN;  // of cached_time_
  char cached_time_[32] = {};            // "2026-11-29T15:08:32" (year as long as it is)
  std::size_t cached_time_size_ = 0;
};

Output& output() {
  // Never destroyed: threads may still log while the process exits. What waits then is
  // written by the exit handler (a return from main or exit()).
  static Output* const instance = [] {
    auto* o = new Output;
    std::atexit([] { flush(); });
    return o;
  }();
  return *instance;
}

}  // namespace

bool init(std::string_view level) {
  Level l;
  if (level == "debug") l = Level::kDebug;
  else if (level == "info") l = Level::kInfo;
  else if (level == "warn" || level == "warning") l = Level::kWarn;
  else if (level == "error") l = Level::kError;
  else return false;
  output().level.store(l, std::memory_order_relaxed);
  return true;
}

bool enabled(Level level) { return level >= output().level.load(std::memory_order_relaxed); }

DeferScope::DeferScope() : outer_(t_defer) { t_defer = true; }

DeferScope::~DeferScope() {
  t_defer = outer_;
  if (!outer_) flush();
}

void flush() {
  Output& out = output();
  if (out.waiting()) out.flush();
}

std::string& Fields::key(std::string_view key) {
  text_.push_back(',');
  append_json_string(text_, key);
  text_.push_back(':');
  return text_;
}

void Fields::member(std::string_view k, std::string_view json, char open, char close) {
  // Usually the key needs no escaping and the member is short: then it is put together on the
  // stack and appended once, which costs a third of appending it piece by piece (a review line
  // has eleven members).
  char buf[256];
  if (k.size() + json.size() + 6 <= sizeof(buf) && is_plain_json_string(k)) {
    char* p = buf;
    *p++ = ',';
    *p++ = '"';
    p = std::copy(k.begin(), k.end(), p);
    *p++ = '"';
    *p++ = ':';
    if (open != '\0') *p++ = open;
    p = std::copy(json.begin(), json.end(), p);
    if (close != '\0') *p++ = close;
    text_.append(buf, p);
    return;
  }
  key(k);
  if (open != '\0') text_.push_back(open);
  text_.append(json);
  if (close != '\0') text_.push_back(close);
}

Fields& Fields::string(std::string_view k, std::string_view value) {
  if (is_plain_json_string(value)) {
    member(k, value, '"', '"');
  } else {
    append_json_string(key(k), value);
  }
  return *this;
}

Fields& Fields::boolean(std::string_view k, bool value) {
  member(k, value ? "true" : "false");
  return *this;
}

Fields& Fields::integer(std::string_view k, long long value) {
  char digits[24];
  auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), value);
  member(k, std::string_view(digits, static_cast<std::size_t>(end - digits)));
  return *this;
}

Fields& Fields::strings(std::string_view k, const std::vector<std::string>& values) {
  if (values.empty()) {
    member(k, "[]");
    return *this;
  }
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
  member(k, json);
  return *this;
}

void write(Level level, std::string_view msg, const Fields& fields) {
  if (!enabled(level)) return;
  output().line(level, msg, fields.text());
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
