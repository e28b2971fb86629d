#pragma once
// JsonStreamSplitter: cuts a byte stream of concatenated JSON documents (a Kubernetes watch
// body: one {"type":...,"object":{...}} per line, delivered in arbitrary chunks) into whole
// documents, without parsing them.
//
// Contract:
// - Chunk boundaries may fall anywhere: inside strings, escape sequences or multi-byte UTF-8
//   characters (only ASCII bytes are structural, so UTF-8 continuation bytes never confuse it).
// - Top-level documents must be objects or arrays; whitespace between them is skipped; any
//   other top-level byte is an error. Bracket kinds are not matched here: the JSON parser that
//   reads each document reports malformed ones.
// - A document longer than `max_document_bytes` is an error (the stream is not trusted to be
//   bounded). After an error every later feed() returns the same error.
// - Error messages give offsets, never document content (a watch event may carry a Secret).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace preflight::cluster {

class JsonStreamSplitter {
 public:
  static constexpr std::size_t kDefaultMaxDocumentBytes = 16u << 20;  // 16 MiB

  explicit JsonStreamSplitter(std::size_t max_document_bytes = kDefaultMaxDocumentBytes)
      : max_document_bytes_(max_document_bytes) {}

  // Appends `chunk` and calls `emit` for every document completed by it, in order. The view
  // passed to `emit` is valid only during the call. Returns true to keep feeding, false when
  // `emit` returned false (the rest of the chunk stays buffered), or the stream error.
  Result<bool> feed(std::string_view chunk, const std::function<bool(std::string_view doc)>& emit);

  // True when no partial document is buffered (a stream that ends here ended cleanly).
  bool idle() const { return depth_ == 0 && !failed(); }
  bool failed() const { return !error_.empty(); }

 private:
  Result<bool> fail(std::string message);

  std::size_t max_document_bytes_;
  std::string buffer_;         // bytes not yet emitted or skipped
  std::size_t scan_ = 0;       // next byte of buffer_ to look at
  std::size_t doc_start_ = 0;  // offset in buffer_ of the open document (when depth_ > 0)
  std::size_t depth_ = 0;      // open { and [ of the current document
  bool in_string_ = false;
  bool escaped_ = false;        // previous byte inside a string was an unescaped backslash
  std::uint64_t consumed_ = 0;  // stream offset of buffer_[0], for messages
  std::string error_;
};

// One watch event ({"type":...,"object":{...}}) read without trusting its field types: a field
// of the wrong type reads as absent, so nothing here throws (nlohmann's value() would).
struct WatchEvent {
  std::string type;              // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR; "" if missing
  nlohmann::json object;         // null when missing
  std::string resource_version;  // object.metadata.resourceVersion, "" unless a string
  int error_code = 0;            // object.code of an ERROR event, 0 unless an integer in range
  std::string error_message;     // object.message of an ERROR event, "" unless a string
};

// Decodes one document cut by JsonStreamSplitter. Error (without content) when it is not a
// JSON object.
Result<WatchEvent> decode_watch_event(std::string_view text);

// obj[key] when obj is an object and the member is a string, else "".
std::string string_member(const nlohmann::json& obj, std::string_view key);

}  // namespace preflight::cluster
