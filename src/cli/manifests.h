#pragma once
// Reads the manifests given to `preflight check -f`: files, folders (recursively, *.yaml,
// *.yml, *.json, in sorted order), or "-" for stdin; multi-document YAML or JSON; `List`
// kinds are flattened. A bad file is reported and the rest are still read.

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::cli {

struct ManifestObject {
  std::string file;   // path as given ("-" shows as "<stdin>")
  int line = 0;       // 1-based line where its document starts
  nlohmann::json object;
};

struct ManifestSet {
  std::vector<ManifestObject> objects;
  std::vector<std::string> errors;  // "file:line:col: what is wrong"
  int files = 0;
  // The text of every file read, by ManifestObject::file: findings are located in it later.
  std::map<std::string, std::string, std::less<>> texts;
};

ManifestSet read_manifests(const std::vector<std::string>& paths, std::istream& stdin_stream);

}  // namespace preflight::cli
