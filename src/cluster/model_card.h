#pragma once
// A model card: the declared runtime of a model (the seed's modelcard.json), as the
// version-skew check reads it. Only four string fields are kept, each at most
// kMaxModelCardField characters (a longer value is dropped, never cut: a cut version would be
// a different version).
//
// parse_model_card_json accepts a JSON object with at least one of the string fields
// model_version, tokenizer_sha, cuda, torch (other fields are ignored, non-string values
// ignored); anything else (not JSON, not an object, none of the fields) gives nullopt. Text over
// kMaxModelCardText bytes or not starting with '{' is not parsed at all, so the ConfigMap watch
// pays nothing for ordinary data. Never throws.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace preflight::cluster {

inline constexpr std::size_t kMaxModelCardField = 128;
inline constexpr std::size_t kMaxModelCardText = 64 * 1024;
inline constexpr std::string_view kDefaultModelCardKey = "modelcard.json";

struct ModelCard {
  std::string model_version;
  std::string tokenizer_sha;
  std::string cuda;
  std::string torch;

  bool empty() const {
    return model_version.empty() && tokenizer_sha.empty() && cuda.empty() && torch.empty();
  }
  friend bool operator==(const ModelCard&, const ModelCard&) = default;
};

std::optional<ModelCard> parse_model_card_text(std::string_view text);
std::optional<ModelCard> parse_model_card_json(const nlohmann::json& object);

}  // namespace preflight::cluster
