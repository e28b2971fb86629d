#include "cli/manifests.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "util/yaml_json.h"

namespace preflight::cli {

namespace fs = std::filesystem;

namespace {

bool is_manifest_file(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

void add_object(ManifestSet& set, const std::string& file, int line, nlohmann::json&& value,
                const std::vector<int>& item_lines = {}) {
  if (!value.is_object() || !value.contains("kind") || !value["kind"].is_string() ||
      !value.contains("apiVersion") || !value["apiVersion"].is_string()) {
    set.errors.push_back(file + ":" + std::to_string(line) +
                         ": document is not a Kubernetes object (it needs apiVersion and kind)");
    return;
  }
  const std::string& kind = value["kind"].get_ref<const std::string&>();
  if (kind.ends_with("List") && value.contains("items")) {
    auto& items = value["items"];
    if (!items.is_array()) {
      set.errors.push_back(file + ":" + std::to_string(line) + ": " + kind + ".items is not a list");
      return;
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      add_object(set, file, i < item_lines.size() ? item_lines[i] : line, std::move(items[i]));
    }
    return;
  }
  set.objects.push_back({file, line, std::move(value)});
}

void read_text(ManifestSet& set, const std::string& file, std::string&& text) {
  ++set.files;
  auto docs = parse_yaml_documents(text, file);
  if (!docs.ok()) {
    set.errors.push_back(docs.error());
    return;
  }
  for (YamlDocument& doc : docs.value()) {
    add_object(set, file, doc.line, std::move(doc.value), doc.item_lines);
  }
  set.texts.insert_or_assign(file, std::move(text));
}

void read_file(ManifestSet& set, const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    set.errors.push_back(path.string() + ": cannot read: " + std::strerror(errno));
    return;
  }
  std::string text;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!ec) {  // one read of the known size; the stream copy below handles the rest
    text.resize(size);
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<std::size_t>(in.gcount()));
    in.clear();
  }
  std::ostringstream rest;
  rest << in.rdbuf();
  text += std::move(rest).str();
  read_text(set, path.string(), std::move(text));
}

}  // namespace

ManifestSet read_manifests(const std::vector<std::string>& paths, std::istream& stdin_stream) {
  ManifestSet set;
  for (const std::string& p : paths) {
    if (p == "-") {
      std::ostringstream buf;
      buf << stdin_stream.rdbuf();
      read_text(set, "<stdin>", std::move(buf).str());
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      set.errors.push_back(p + ": cannot read: no such file or directory");
      continue;
    }
    if (!fs::is_directory(st)) {
      read_file(set, p);
      continue;
    }
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && is_manifest_file(it->path())) files.push_back(it->path());
    }
    if (ec) set.errors.push_back(p + ": cannot read: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) read_file(set, f);
  }
  return set;
}

}  // namespace preflight::cli
