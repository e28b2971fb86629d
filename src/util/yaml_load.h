#pragma once
// load_all_documents: YAML::LoadAll that always returns.
//
// yaml-cpp 0.7 (Debian bookworm) never returns from LoadAll on some invalid streams: a ','
// outside a flow collection (",", ", a") is never consumed, so every pass yields one more null
// document and memory grows until the process is killed (jbeder/yaml-cpp#1040; fixed upstream
// by PR #1319, after 0.7). Found by fuzzing the policy loader (tests/fuzz).
//
// Contract: first walks the stream's parse events (nothing is built) and throws
// YAML::ParserException at the first document that starts where the previous one started (no
// progress); then returns YAML::LoadAll(text). Throws what LoadAll throws, nothing else.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace preflight {

std::vector<YAML::Node> load_all_documents(const std::string& text);

}  // namespace preflight
