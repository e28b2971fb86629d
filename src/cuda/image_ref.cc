#include "cuda/image_ref.h"

#include <array>

namespace preflight::cuda {

namespace {

constexpr bool allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '/' || c == ':' || c == '@' || c == '+';
}

bool is_registry(std::string_view component) {
  return component == "localhost" || component.find_first_of(".:") != std::string_view::npos;
}

// allowed() as a table: one load per byte (a review parses its images several times).
constexpr auto kAllowed = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = allowed(static_cast<char>(c));
  return t;
}();

}  // namespace

bool ImageRefView::docker_hub() const {
  return registry.empty() || registry == "docker.io" || registry == "index.docker.io" ||
         registry == "registry-1.docker.io";
}

std::string_view ImageRefView::name() const {
  const std::size_t slash = repository.rfind('/');
  return slash == std::string_view::npos ? repository : repository.substr(slash + 1);
}

bool ImageRefView::repository_is(std::string_view path) const {
  if (repository == path) return true;
  return repository.size() > path.size() && repository.ends_with(path) &&
         repository[repository.size() - path.size() - 1] == '/';
}

std::optional<ImageRefView> parse_image_ref(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (!kAllowed[static_cast<unsigned char>(c)]) return std::nullopt;
  }
  ImageRefView ref;
  std::string_view rest = text;
  if (const std::size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (ref.digest.empty() || ref.digest.find('@') != std::string_view::npos) return std::nullopt;
  }
  const std::size_t last_slash = rest.rfind('/');
  const std::size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (ref.tag.empty()) return std::nullopt;
  }
  if (const std::size_t slash = rest.find('/');
      slash != std::string_view::npos && is_registry(rest.substr(0, slash))) {
    ref.registry = rest.substr(0, slash);
    rest = rest.substr(slash + 1);
  }
  if (rest.empty() || rest.front() == '/' || rest.back() == '/' ||
      rest.find("//") != std::string_view::npos || rest.find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  if (ref.docker_hub() && rest.starts_with("library/")) rest.remove_prefix(8);
  ref.repository = rest;
  return ref;
}

std::string short_image(std::string_view text, std::size_t max) {
  if (max < 16) max = 16;
  if (text.size() <= max) return std::string(text);
  // Drop leading path components (never the last one, which holds the name and tag).
  const std::size_t name_start = [&] {
    const std::size_t at = text.find('@');
    const std::size_t slash = text.substr(0, at).rfind('/');
    return slash == std::string_view::npos ? std::size_t{0} : slash + 1;
  }();
  std::size_t from = 0;
  while (from < name_start && text.size() - from + 4 > max) {
    from = text.find('/', from) + 1;
  }
  std::string out;
  if (from > 0) out.append(".../");
  out.append(text.substr(from));
  if (out.size() > max) out = "..." + out.substr(out.size() - (max - 3));  // keep the tag
  return out;
}

}  // namespace preflight::cuda
