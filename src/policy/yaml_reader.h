#pragma once
// Strict reading of a YAML configuration file with yaml-cpp: typed accessors that report
// "FILE:LINE:COLUMN: where: what is wrong" (1-based) instead of throwing. Internal to the
// policy loader.
//
// Contract: no member throws for bad input (yaml-cpp's accessors used here do not throw on
// the node kinds checked first); load_document() catches yaml-cpp's parser exceptions.
// Where a value is empty (null), positions point at its key: yaml-cpp marks an empty value at
// the token after it, often on the next line.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "checks/finding.h"
#include "util/result.h"

namespace preflight::policy {

using Status = std::optional<Error>;  // nullopt: success

// `"text"`, cut to 40 characters with "..." (messages quote, never dump, what they found).
std::string quote(std::string_view s);

// Reads a whole file of at most 1 MiB. Errors: "PATH: cannot read: reason".
Result<std::string> read_text_file(const std::string& path);

class YamlReader {
 public:
  using EntryVisitor = std::function<Status(const std::string& name, const YAML::Node& key,
                                            const YAML::Node& value)>;
  using ItemVisitor = std::function<Status(const std::string& text, const YAML::Node& item,
                                           const std::string& where)>;

  explicit YamlReader(std::string source) : source_(std::move(source)) {}
  const std::string& source() const { return source_; }

  // "SOURCE:LINE:COLUMN: where: what" (where omitted when empty, position when mark is null).
  Error at(const YAML::Mark& mark, std::string_view where, std::string_view what) const;
  // "SOURCE:LINE:COLUMN" of a mark.
  std::string position(const YAML::Mark& mark) const;

  // Parses `text` as a single document that is a mapping or empty (root is then null).
  Status load_document(std::string_view text, YAML::Node& root) const;

  // Visits a mapping's entries in order. Keys must be strings and unique; when `known` is not
  // empty they must be one of `known` (an unknown key gets a "did you mean" hint).
  // A null `map` is an empty mapping; any other non-mapping is an error.
  Status each(const YAML::Node& key, const YAML::Node& map, std::string_view where,
              std::span<const std::string_view> known, const EntryVisitor& visit) const;
  // A scalar's text. Null ("missing value") and collections are errors.
  Status scalar(const YAML::Node& key, const YAML::Node& value, std::string_view where,
                std::string& out) const;
  // Visits the scalar items of a list. Null is an error: `[]` says "none".
  Status strings(const YAML::Node& key, const YAML::Node& list, std::string_view where,
                 const ItemVisitor& visit) const;
  // A Go duration (parse_duration).
  Status duration(const YAML::Node& key, const YAML::Node& value, std::string_view where,
                  std::chrono::milliseconds& out) const;
  // deny|warn|dryrun|off.
  Status enforcement(const YAML::Node& key, const YAML::Node& value, std::string_view where,
                     Enforcement& out) const;
  // A value from `allowed`; returns its index in `allowed`.
  Status one_of(const YAML::Node& key, const YAML::Node& value, std::string_view where,
                std::span<const std::string_view> allowed, std::size_t& index) const;
  // `id` must be a known check id (checks::known_check_ids()).
  Status check_id(const std::string& id, const YAML::Node& node, std::string_view where) const;

  // "a mapping", "a list", "the string \"x\"", "nothing".
  static std::string kind_of(const YAML::Node& n);

 private:
  std::string source_;
};

}  // namespace preflight::policy
