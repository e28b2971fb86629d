// Differential fuzz target: util/yaml_block (the fast path of parse_yaml_documents) against
// yaml-cpp (parse_yaml_documents_with_yaml_cpp). Invariant: whenever the fast path answers,
// yaml-cpp accepts the text too and gives the same documents, JSON values, document lines and
// List item lines. Texts the fast path declines are only checked not to crash.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "util/yaml_block.h"
#include "util/yaml_json.h"

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
  return 0;
}
