// Differential fuzz target: util/yaml_block (the fast path of parse_yaml_documents) against
// yaml-cpp (parse_yaml_documents_with_yaml_cpp). Invariant: whenever the fast path answers,
// yaml-cpp accepts the text too and gives the same documents, JSON values, document lines and
// List item lines, and the same marks for cli/source_locator (parse_block_yaml_marks against
// yaml_cpp_marks; null nodes' marks excepted). Texts the fast path declines are only checked not to crash.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "util/yaml_block.h"
#include "util/yaml_json.h"

namespace {

bool same_marks(const preflight::YamlMarks& f, const preflight::YamlMarks& s) {
  if (f.kind != s.kind) return false;
  if (f.kind == preflight::YamlMarks::Kind::kNull) return true;
  if (f.line != s.line || f.column != s.column || f.pos != s.pos || f.scalar != s.scalar ||
      f.items.size() != s.items.size() || f.keys.size() != s.keys.size()) {
    return false;
  }
  for (std::size_t i = 0; i < f.items.size(); ++i) {
    if (!same_marks(f.items[i], s.items[i])) return false;
  }
  for (std::size_t i = 0; i < f.keys.size(); ++i) {
    if (!same_marks(f.keys[i], s.keys[i]) || !same_marks(f.values[i], s.values[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto fast = parse_block_yaml(text);
  if (!fast) return 0;
  auto slow = parse_yaml_documents_with_yaml_cpp(text, "f.yaml");
  auto differ = [&](const char* what) {
    std::fprintf(stderr, "yaml_block differs from yaml-cpp (%s)\n", what);
    if (slow.ok()) {
      for (std::size_t i = 0; i < fast->size() && i < slow->size(); ++i) {
        std::fprintf(stderr, "doc %zu fast line %d: %s\n      slow line %d: %s\n", i,
                     (*fast)[i].line, (*fast)[i].value.dump().c_str(), (*slow)[i].line,
                     (*slow)[i].value.dump().c_str());
      }
    } else {
      std::fprintf(stderr, "yaml-cpp: %s\n", slow.error().c_str());
    }
    __builtin_trap();
  };
  if (!slow.ok()) differ("yaml-cpp rejects the text");
  if (slow->size() != fast->size()) differ("number of documents");
  for (std::size_t i = 0; i < fast->size(); ++i) {
    const YamlDocument& f = (*fast)[i];
    const YamlDocument& s = (*slow)[i];
    if (f.value != s.value) differ("value");
    if (f.line != s.line) differ("document line");
    if (f.item_lines != s.item_lines) differ("List item lines");
  }
  auto fast_marks = parse_block_yaml_marks(text);
  auto slow_marks = yaml_cpp_marks(text);
  if (!fast_marks || !slow_marks) differ("marks: one side has none");
  if (fast_marks->size() != slow_marks->size()) differ("marks: number of documents");
  for (std::size_t i = 0; i < fast_marks->size(); ++i) {
    if (!same_marks((*fast_marks)[i], (*slow_marks)[i])) differ("marks");
  }
  return 0;
}
