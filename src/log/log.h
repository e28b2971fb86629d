#pragma once
// Structured logs: one JSON object per line on stderr, {"time","level","msg",...fields}.
// Callers pass identifying fields only: never a request body, an env value or a Secret.
//
// Lines are written with write(2) on descriptor 2, whole lines only (lines of several threads
// never interleave), at once — except on a thread inside a DeferScope (an event loop handling
// its ready events), where debug and info lines wait in memory until flush(): a review's line
// then costs no write(2) of its own, the loop writes the lines of a whole turn with one.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the level ("debug", "info", "warn", "error"). Returns false for an unknown name.
bool init(std::string_view level);
bool enabled(Level level);

// While one lives on this thread, its debug and info lines wait for flush() (warnings and
// errors, and anything once 64 KiB wait, are written at once, with what waited before them).
// For a thread that calls flush() before each time it may block, so no line waits longer than
// the work it is part of: the event loop defers while it handles a turn's events and flushes
// before epoll_wait. Ending the scope flushes.
class DeferScope {
 public:
  DeferScope();
  ~DeferScope();
  DeferScope(const DeferScope&) = delete;
  DeferScope& operator=(const DeferScope&) = delete;

 private:
  bool outer_;  // the thread's state before (scopes nest)
};

// Writes the lines waiting (from any thread), in the order they were logged. Cheap when none:
// one atomic load.
void flush();

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
  // Empties the line and keeps its buffer: a caller logging a line per review reuses one Fields.
  void clear() { text_.clear(); }

 private:
  std::string& key(std::string_view key);
  // ,"key":<open><json><close> (open, close: a quote, brackets, or '\0' for none).
  void member(std::string_view key, std::string_view json, char open = '\0', char close = '\0');
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
