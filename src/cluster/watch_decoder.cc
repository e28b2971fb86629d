#include "cluster/watch_decoder.h"

#include <cstdio>

namespace preflight::cluster {

Result<bool> JsonStreamSplitter::fail(std::string message) {
  error_ = std::move(message);
  buffer_.clear();
  return make_error(error_);
}

Result<bool> JsonStreamSplitter::feed(std::string_view chunk,
                                      const std::function<bool(std::string_view doc)>& emit) {
  if (failed()) return make_error(error_);
  buffer_.append(chunk);
  bool keep_going = true;
  for (; scan_ < buffer_.size() && keep_going; ++scan_) {
    const char c = buffer_[scan_];
    if (depth_ > 0 && scan_ + 1 - doc_start_ > max_document_bytes_) {
      return fail("watch stream: document at byte " + std::to_string(consumed_ + doc_start_) +
                  " exceeds " + std::to_string(max_document_bytes_) + " bytes");
    }
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    switch (c) {
      case '{':
      case '[':
        if (depth_ == 0) doc_start_ = scan_;
        ++depth_;
        break;
      case '}':
      case ']':
        if (depth_ == 0) {
          return fail("watch stream: unbalanced '" + std::string(1, c) + "' at byte " +
                      std::to_string(consumed_ + scan_));
        }
        if (--depth_ == 0) {
          keep_going = emit(std::string_view(buffer_).substr(doc_start_, scan_ + 1 - doc_start_));
        }
        break;
      case '"':
        if (depth_ == 0) {
          return fail("watch stream: a string outside a JSON object at byte " +
                      std::to_string(consumed_ + scan_));
        }
        in_string_ = true;
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        break;
      default:
        if (depth_ == 0) {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "0x%02x", static_cast<unsigned char>(c));
          return fail(std::string("watch stream: unexpected byte ") + hex +
                      " outside a JSON object at byte " + std::to_string(consumed_ + scan_));
        }
    }
  }
  // Drop everything before the open document (or everything scanned when none is open).
  const std::size_t drop = depth_ > 0 ? doc_start_ : scan_;
  buffer_.erase(0, drop);
  scan_ -= drop;
  if (depth_ > 0) doc_start_ = 0;
  consumed_ += drop;
  return keep_going;
}

std::string string_member(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<WatchEvent> decode_watch_event(std::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return make_error("watch event is not a JSON object");
  WatchEvent event;
  event.type = string_member(doc, "type");
  if (auto it = doc.find("object"); it != doc.end()) event.object = std::move(*it);
  const nlohmann::json& object = event.object;
  if (object.is_object()) {
    if (auto meta = object.find("metadata"); meta != object.end()) {
      event.resource_version = string_member(*meta, "resourceVersion");
    }
    if (event.type == "ERROR") {
      if (auto code = object.find("code"); code != object.end() && code->is_number_integer()) {
        // Range-checked: an out-of-range number must not wrap into 410.
        if (code->is_number_unsigned() ? code->get<std::uint64_t>() <= 999
                                       : code->get<std::int64_t>() >= 0 &&
                                             code->get<std::int64_t>() <= 999) {
          event.error_code = code->get<int>();
        }
      }
      event.error_message = string_member(object, "message");
    }
  }
  return event;
}

}  // namespace preflight::cluster
