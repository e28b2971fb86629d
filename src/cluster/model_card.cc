#include "cluster/model_card.h"

#include <nlohmann/json.hpp>

#include "util/text.h"

namespace preflight::cluster {

std::optional<ModelCard> parse_model_card_json(const nlohmann::json& object) {
  if (!object.is_object()) return std::nullopt;
  ModelCard card;
  auto take = [&](std::string_view key, std::string& out) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return;
    const std::string& s = it->get_ref<const std::string&>();
    std::string_view value = trim(s);
    if (value.size() <= kMaxModelCardField) out = std::string(value);
  };
  take("model_version", card.model_version);
  take("tokenizer_sha", card.tokenizer_sha);
  take("cuda", card.cuda);
  take("torch", card.torch);
  if (card.empty()) return std::nullopt;
  return card;
}

std::optional<ModelCard> parse_model_card_text(std::string_view text) {
  if (text.size() > kMaxModelCardText) return std::nullopt;
  std::string_view body = trim(text);
  if (body.empty() || body.front() != '{') return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return parse_model_card_json(j);
}

}  // namespace preflight::cluster
