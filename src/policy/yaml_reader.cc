#include "policy/yaml_reader.h"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "checks/check.h"
#include "checks/edit_distance.h"
#include "policy/policy.h"
#include "util/yaml_load.h"

namespace preflight::policy {

namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out.append(i == 0 ? "" : i + 1 == words.size() ? " or " : ", ").append(words[i]);
  }
  return out;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  auto near = checks::nearest(word, candidates, 2);
  if (!near || near->distance == 0) return "";
  return " (did you mean " + quote(candidates[near->index]) + "?)";
}

YAML::Mark mark_of(const YAML::Node& key, const YAML::Node& value) {
  return value.IsNull() ? key.Mark() : value.Mark();
}

}  // namespace

std::string quote(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 40));
  if (s.size() > 40) out += "...";
  return out + "\"";
}

Result<std::string> read_text_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return make_error(path + ": cannot read: " + std::strerror(errno));
  std::string text;
  char buf[8192];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxFileBytes) return make_error(path + ": cannot read: larger than 1 MiB");
  }
  if (std::ferror(f.get())) return make_error(path + ": cannot read: " + std::strerror(errno));
  return text;
}

std::string YamlReader::position(const YAML::Mark& mark) const {
  if (mark.is_null()) return source_;
  return source_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Error YamlReader::at(const YAML::Mark& mark, std::string_view where, std::string_view what) const {
  std::string out = position(mark) + ": ";
  if (!where.empty()) out.append(where).append(": ");
  return make_error(out.append(what));
}

std::string YamlReader::kind_of(const YAML::Node& n) {
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  if (n.IsScalar()) return "the string " + quote(n.Scalar());
  return "nothing";
}

Status YamlReader::load_document(std::string_view text, YAML::Node& root) const {
  try {
    std::vector<YAML::Node> docs = load_all_documents(std::string(text));
    for (std::size_t i = 1; i < docs.size(); ++i) {
      if (!docs[i].IsNull()) return at(docs[i].Mark(), "", "expected a single YAML document");
    }
    if (!docs.empty()) root = docs.front();
  } catch (const YAML::DeepRecursion& e) {
    return at(e.mark, "", "nesting too deep");
  } catch (const YAML::Exception& e) {
    return at(e.mark, "", e.msg);
  }
  if (!root.IsNull() && !root.IsMap())
    return at(root.Mark(), "", "expected a mapping, got " + kind_of(root));
  return std::nullopt;
}

Status YamlReader::each(const YAML::Node& key, const YAML::Node& map, std::string_view where,
                        std::span<const std::string_view> known, const EntryVisitor& visit) const {
  if (map.IsNull()) return std::nullopt;
  if (!map.IsMap()) return at(mark_of(key, map), where, "expected a mapping, got " + kind_of(map));
  std::map<std::string, int, std::less<>> seen;  // key -> 1-based line
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: it->first lives in a temporary
    if (!k.IsScalar()) return at(k.Mark(), where, "keys must be strings, got " + kind_of(k));
    const std::string& name = k.Scalar();
    if (!known.empty() && std::find(known.begin(), known.end(), name) == known.end()) {
      return at(k.Mark(), where, "unknown key " + quote(name) + did_you_mean(name, known));
    }
    auto [first, fresh] = seen.emplace(name, k.Mark().line + 1);
    if (!fresh) {
      return at(k.Mark(), where,
                "duplicate key " + quote(name) + " (first on line " +
                    std::to_string(first->second) + ")");
    }
    if (auto err = visit(name, k, it->second)) return err;
  }
  return std::nullopt;
}

Status YamlReader::scalar(const YAML::Node& key, const YAML::Node& value, std::string_view where,
                          std::string& out) const {
  if (value.IsNull()) return at(key.Mark(), where, "missing value");
  if (!value.IsScalar()) return at(value.Mark(), where, "expected a string, got " + kind_of(value));
  out = value.Scalar();
  return std::nullopt;
}

Status YamlReader::strings(const YAML::Node& key, const YAML::Node& list, std::string_view where,
                           const ItemVisitor& visit) const {
  if (list.IsNull()) return at(key.Mark(), where, "missing value (use [] for none)");
  if (!list.IsSequence()) return at(list.Mark(), where, "expected a list, got " + kind_of(list));
  std::size_t i = 0;
  for (const YAML::Node& item : list) {
    std::string item_where = std::string(where) + "[" + std::to_string(i++) + "]";
    if (item.IsNull()) return at(list.Mark(), item_where, "empty list item");
    std::string text;
    if (auto err = scalar(item, item, item_where, text)) return err;
    if (auto err = visit(text, item, item_where)) return err;
  }
  return std::nullopt;
}

Status YamlReader::duration(const YAML::Node& key, const YAML::Node& value, std::string_view where,
                            std::chrono::milliseconds& out) const {
  std::string text;
  if (auto err = scalar(key, value, where, text)) return err;
  auto d = parse_duration(text);
  if (!d.ok()) return at(value.Mark(), where, d.error());
  out = *d;
  return std::nullopt;
}

Status YamlReader::one_of(const YAML::Node& key, const YAML::Node& value, std::string_view where,
                          std::span<const std::string_view> allowed, std::size_t& index) const {
  std::string text;
  if (auto err = scalar(key, value, where, text)) return err;
  auto it = std::find(allowed.begin(), allowed.end(), text);
  if (it == allowed.end()) {
    return at(value.Mark(), where, quote(text) + " is not one of " + join(allowed));
  }
  index = static_cast<std::size_t>(it - allowed.begin());
  return std::nullopt;
}

Status YamlReader::enforcement(const YAML::Node& key, const YAML::Node& value,
                               std::string_view where, Enforcement& out) const {
  static constexpr std::string_view kNames[] = {"deny", "warn", "dryrun", "off"};
  std::string text;
  if (auto err = scalar(key, value, where, text)) return err;
  auto e = parse_enforcement(text);
  if (!e) return at(value.Mark(), where, quote(text) + " is not one of " + join(kNames));
  out = *e;
  return std::nullopt;
}

Status YamlReader::check_id(const std::string& id, const YAML::Node& node,
                            std::string_view where) const {
  const auto& ids = checks::known_check_ids();
  if (std::find(ids.begin(), ids.end(), id) != ids.end()) return std::nullopt;
  return at(node.Mark(), where, "unknown check id " + quote(id) + did_you_mean(id, ids));
}

}  // namespace preflight::policy
