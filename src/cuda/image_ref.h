#pragma once
// A container image reference, split into its parts without copying:
//   [registry/]repository[:tag][@digest]
// e.g. "registry.local:5000/team/img:12.4.1-cuda12.4@sha256:ab..." →
//   registry "registry.local:5000", repository "team/img", tag "12.4.1-cuda12.4",
//   digest "sha256:ab...".
//
// Follows the Docker reference grammar where it matters here: the first path component is a
// registry when there are more components and it holds a '.' or a ':' or is "localhost"; a tag
// is what follows the last ':' after the last '/'. Docker Hub's implicit "library/" is dropped
// (for "docker.io/library/busybox" the repository is "busybox", registry "docker.io").
//
// Contract: the parts are views into the parsed text and are valid only while it lives; keep an
// ImageRefView no longer than the string it came from. Parsing never allocates.

#include <optional>
#include <string>
#include <string_view>

namespace preflight::cuda {

struct ImageRefView {
  std::string_view registry;    // "" = Docker Hub, as written otherwise ("nvcr.io")
  std::string_view repository;  // "nvidia/cuda", "busybox"
  std::string_view tag;         // "" when absent
  std::string_view digest;      // "sha256:..." or ""

  // Docker Hub, written or implied.
  bool docker_hub() const;
  // The repository's last path component: "cuda" of "nvidia/cuda".
  std::string_view name() const;
  // Whether the repository is `path` or ends with "/" + `path` (a mirror keeping the path, as
  // "mirror.example.com/dockerhub/vllm/vllm-openai" for "vllm/vllm-openai").
  bool repository_is(std::string_view path) const;
};

// Nullopt for text that is not an image reference: empty, a space or a character outside
// [A-Za-z0-9._/:@+-], an empty component, or a template ("{{ .Values.image }}").
std::optional<ImageRefView> parse_image_ref(std::string_view text);

// The reference as findings quote it: unchanged up to `max` characters; longer, its leading
// path components give way to ".../" (".../llm/server:2.3.1-cuda12.4") while that is needed
// and possible; what is still too long keeps its last max-3 characters after "..." (the tag
// tells most). A max below 16 counts as 16.
std::string short_image(std::string_view text, std::size_t max);

}  // namespace preflight::cuda
