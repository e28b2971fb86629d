#include "policy/selector_reader.h"

namespace preflight::policy {

namespace {

using Op = LabelSelector::Requirement::Op;

constexpr std::string_view kEmptySelector =
    "an empty selector would exempt every workload; give matchLabels or matchExpressions";
// Same order as LabelSelector::Requirement::Op.
constexpr std::string_view kOperators[] = {"In", "NotIn", "Exists", "DoesNotExist"};

Status read_requirement(const YamlReader& reader, const YAML::Node& item, const std::string& where,
                        LabelSelector::Requirement& out) {
  static constexpr std::string_view kKeys[] = {"key", "operator", "values"};
  if (!item.IsMap()) {
    return reader.at(item.Mark(), where, "expected a mapping, got " + YamlReader::kind_of(item));
  }
  bool has_operator = false;
  auto status = reader.each(
      item, item, where, kKeys,
      [&](const std::string& name, const YAML::Node& k, const YAML::Node& v) -> Status {
        std::string sub = where + "." + name;
        if (name == "key") return reader.scalar(k, v, sub, out.key);
        if (name == "operator") {
          std::size_t index = 0;
          if (auto err = reader.one_of(k, v, sub, kOperators, index)) return err;
          out.op = static_cast<Op>(index);
          has_operator = true;
          return std::nullopt;
        }
        return reader.strings(
            k, v, sub, [&](const std::string& s, const YAML::Node&, const std::string&) -> Status {
              out.values.push_back(s);
              return std::nullopt;
            });
      });
  if (status) return status;
  if (out.key.empty()) return reader.at(item.Mark(), where, "missing key");
  if (!has_operator) return reader.at(item.Mark(), where, "missing operator");
  std::string_view op = kOperators[static_cast<int>(out.op)];
  bool set_based = out.op == Op::kIn || out.op == Op::kNotIn;
  if (set_based && out.values.empty()) {
    return reader.at(item.Mark(), where, std::string(op) + " needs values");
  }
  if (!set_based && !out.values.empty()) {
    return reader.at(item.Mark(), where, std::string(op) + " takes no values");
  }
  return std::nullopt;
}

}  // namespace

Status read_label_selector(const YamlReader& reader, const YAML::Node& list, const YAML::Node& item,
                           const std::string& where, LabelSelector& out) {
  static constexpr std::string_view kKeys[] = {"matchLabels", "matchExpressions"};
  if (item.IsNull()) return reader.at(list.Mark(), where, kEmptySelector);
  if (!item.IsMap()) {
    return reader.at(item.Mark(), where,
                     "expected a label selector, got " + YamlReader::kind_of(item));
  }
  auto status = reader.each(
      item, item, where, kKeys,
      [&](const std::string& name, const YAML::Node& k, const YAML::Node& v) -> Status {
        std::string sub = where + "." + name;
        if (name == "matchLabels") {
          return reader.each(
              k, v, sub, {},
              [&](const std::string& label, const YAML::Node& lk, const YAML::Node& lv) -> Status {
                return reader.scalar(lk, lv, sub + "." + label, out.match_labels[label]);
              });
        }
        if (v.IsNull()) return std::nullopt;
        if (!v.IsSequence()) {
          return reader.at(v.Mark(), sub, "expected a list, got " + YamlReader::kind_of(v));
        }
        std::size_t i = 0;
        for (const YAML::Node& expr : v) {
          LabelSelector::Requirement r;
          std::string expr_where = sub + "[" + std::to_string(i++) + "]";
          if (expr.IsNull()) return reader.at(v.Mark(), expr_where, "empty list item");
          if (auto err = read_requirement(reader, expr, expr_where, r)) return err;
          out.match_expressions.push_back(std::move(r));
        }
        return std::nullopt;
      });
  if (status) return status;
  if (out.match_labels.empty() && out.match_expressions.empty()) {
    return reader.at(item.Mark(), where, kEmptySelector);
  }
  return std::nullopt;
}

}  // namespace preflight::policy
