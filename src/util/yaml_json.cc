#include "util/yaml_json.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "util/yaml_block.h"
#include "util/yaml_load.h"
#include "util/yaml_scalar.h"

namespace preflight {

namespace {

using nlohmann::json;
using Status = std::optional<Error>;  // nullopt: success

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

std::string position(std::string_view source, int line0, int column0) {
  std::string out(source);
  if (line0 >= 0) out += ":" + std::to_string(line0 + 1) + ":" + std::to_string(column0 + 1);
  return out + ": ";
}

Error error_at(std::string_view source, const YAML::Mark& mark, std::string_view message) {
  if (mark.is_null()) return make_error(position(source, -1, -1).append(message));
  return make_error(position(source, mark.line, mark.column).append(message));
}

std::string nesting_message() { return "nesting deeper than " + std::to_string(kMaxYamlDepth); }

class Converter {
 public:
  Converter(std::string_view source, std::size_t max_values)
      : source_(source), budget_(max_values) {}

  Status value(const YAML::Node& node, int depth, json& out) {
    if (budget_ == 0) {
      return error_at(source_, node.Mark(), "aliases expand to too many values");
    }
    --budget_;
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        return scalar(node, out);
      case YAML::NodeType::Sequence: {
        if (depth + 1 > kMaxYamlDepth) return error_at(source_, node.Mark(), nesting_message());
        out = json::array();
        for (const YAML::Node& item : node) {
          json v;
          if (auto err = value(item, depth + 1, v)) return err;
          out.push_back(std::move(v));
        }
        return std::nullopt;
      }
      case YAML::NodeType::Map:
        if (depth + 1 > kMaxYamlDepth) return error_at(source_, node.Mark(), nesting_message());
        return mapping(node, depth + 1, out);
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        out = nullptr;
        return std::nullopt;
    }
    out = nullptr;
    return std::nullopt;
  }

 private:
  Status mapping(const YAML::Node& node, int depth, json& out) {
    out = json::object();
    std::vector<YAML::Node> merges;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies, not references: yaml-cpp's iterator returns its pair by value (a temporary
      // behind operator->), so a reference to it->first dangles.
      const YAML::Node key = it->first;
      const YAML::Node item = it->second;
      if (key.IsScalar() && key.Scalar() == "<<" &&
          (key.Tag() == "?" || key.Tag() == std::string(kCoreTagPrefix) + "merge")) {
        merges.push_back(item);
        continue;
      }
      std::string name;
      if (auto err = key_string(key, name)) return err;
      json v;
      if (auto err = value(item, depth, v)) return err;
      out[name] = std::move(v);  // duplicate keys: the last one wins, as go-yaml v2
    }
    for (const YAML::Node& merge : merges) {
      if (merge.IsMap()) {
        if (auto err = merge_from(merge, depth, out)) return err;
      } else if (merge.IsSequence()) {
        for (const YAML::Node& item : merge) {
          if (!item.IsMap()) {
            return error_at(source_, item.Mark(), "merge key (<<) list items must be mappings");
          }
          if (auto err = merge_from(item, depth, out)) return err;
        }
      } else {
        return error_at(source_, merge.Mark(),
                        "merge key (<<) needs a mapping or a list of mappings");
      }
    }
    return std::nullopt;
  }

  // A merged mapping is converted one level deeper, so that a mapping merging itself through
  // an alias cycle ends at the nesting limit.
  Status merge_from(const YAML::Node& source, int depth, json& out) {
    json merged;
    if (auto err = value(source, depth, merged)) return err;
    for (auto& [k, v] : merged.items()) {
      if (!out.contains(k)) out[k] = std::move(v);
    }
    return std::nullopt;
  }

  Status key_string(const YAML::Node& key, std::string& out) {
    if (!key.IsScalar()) {
      return error_at(source_, key.Mark(),
                      key.IsNull() ? "mapping key is null" : "mapping key must be a scalar");
    }
    json k;
    if (auto err = scalar(key, k)) return err;
    if (k.is_string()) {
      out = k.get<std::string>();
    } else if (k.is_boolean()) {
      out = k.get<bool>() ? "true" : "false";
    } else if (k.is_number_integer()) {
      out = k.dump();
    } else if (k.is_number_float()) {
      out = key.Scalar();  // as written (Kubernetes reformats; keys like 1.5 are rare)
    } else {
      return error_at(source_, key.Mark(), "mapping key is null");
    }
    return std::nullopt;
  }

  Status scalar(const YAML::Node& node, json& out) {
    const std::string& tag = node.Tag();
    const std::string& text = node.Scalar();
    if (tag == "?") {
      out = resolve_plain_scalar(text);
      return std::nullopt;
    }
    if (tag.rfind(kCoreTagPrefix, 0) != 0) {  // "!" (quoted) and local or custom tags
      out = text;
      return std::nullopt;
    }
    std::string_view type = std::string_view(tag).substr(kCoreTagPrefix.size());
    json r = resolve_plain_scalar(text);
    bool ok = true;
    if (type == "int") {
      ok = r.is_number_integer();
    } else if (type == "float") {
      if (r.is_number_integer()) r = r.get<double>();
      ok = r.is_number_float() || is_yaml_inf_or_nan(text);
    } else if (type == "bool") {
      ok = r.is_boolean();
    } else if (type == "null") {
      ok = r.is_null();
    } else {
      r = text;  // !!str, !!binary, !!timestamp, and collection tags on a scalar
    }
    if (!ok) {
      std::string shown = text.size() > 40 ? text.substr(0, 40) + "..." : text;
      return error_at(source_, node.Mark(),
                      "cannot read \"" + shown + "\" as !!" + std::string(type));
    }
    out = std::move(r);
    return std::nullopt;
  }

  std::string_view source_;
  std::size_t budget_;
};

// For text that is one JSON value: the position of the first bracket nested deeper than the
// limit. The JSON parser is iterative, but consumers of the value recurse.
std::optional<std::pair<int, int>> too_deep_json(std::string_view text) {
  int depth = 0, line = 0, column = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxYamlDepth) return std::make_pair(line, column);
    } else if (c == '}' || c == ']') {
      --depth;
    }
    if (c == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<nlohmann::json> yaml_to_json_checked(const YAML::Node& node, std::string_view source_name,
                                            std::size_t max_values) {
  try {
    json out;
    if (auto err = Converter(source_name, max_values).value(node, 0, out)) return *err;
    return out;
  } catch (const std::exception&) {
    return make_error(std::string(source_name) + ": cannot convert YAML to JSON");
  }
}

nlohmann::json yaml_to_json(const YAML::Node& node) {
  auto converted = yaml_to_json_checked(node, "");
  if (!converted.ok()) return json(json::value_t::discarded);
  return std::move(converted).value();
}

Result<std::vector<YamlDocument>> parse_yaml_documents(std::string_view text,
                                                       std::string_view source_name) {
  std::vector<YamlDocument> docs;
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (!value.is_discarded()) {
      if (auto deep = too_deep_json(text)) {
        return make_error(position(source_name, deep->first, deep->second) + nesting_message());
      }
      int line = 1;
      for (std::size_t i = 0; i < first; ++i) line += text[i] == '\n';
      if (!value.is_null()) docs.push_back({std::move(value), line});
      return docs;
    }
  }
  if (auto fast = parse_block_yaml(text)) return std::move(*fast);
  return parse_yaml_documents_with_yaml_cpp(text, source_name);
}

Result<std::vector<YamlDocument>> parse_yaml_documents_with_yaml_cpp(std::string_view text,
                                                                     std::string_view source_name) {
  std::vector<YamlDocument> docs;
  try {
    std::vector<YAML::Node> nodes = load_all_documents(std::string(text));
    // Without aliases YAML needs at least one character per two values: a budget of four
    // values per character only stops alias expansion.
    Converter converter(source_name, 4 * text.size() + 4096);
    for (const YAML::Node& node : nodes) {
      json value;
      if (auto err = converter.value(node, 0, value)) return *err;
      if (value.is_null()) continue;
      YamlDocument doc{std::move(value), node.Mark().line + 1, {}};
      if (node.IsMap()) {
        const YAML::Node items = node["items"];  // an undefined node when absent
        if (items.IsDefined() && items.IsSequence()) {
          for (const YAML::Node& item : items) doc.item_lines.push_back(item.Mark().line + 1);
        }
      }
      docs.push_back(std::move(doc));
    }
  } catch (const YAML::DeepRecursion& e) {
    return error_at(source_name, e.mark, nesting_message());
  } catch (const YAML::Exception& e) {
    return error_at(source_name, e.mark, e.msg);
  } catch (const std::exception&) {
    return make_error(std::string(source_name) + ": cannot parse YAML");
  }
  return docs;
}

}  // namespace preflight
