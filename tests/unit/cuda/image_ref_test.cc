#include "cuda/image_ref.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace preflight::cuda {
namespace {

constexpr char kDigest[] =
    "sha256:9f1ac4b0ad79f1bd43e1a7b4d6e8c2b8d3bd4b1a3d0e5f1c2a7b9c0d1e2f3a4b";

TEST(ImageRefTest, Parts) {
  struct Case {
    std::string ref;
    std::string registry, repository, tag, digest;
  };
  const std::string at_digest = std::string("@") + kDigest;
  const std::vector<Case> cases = {
      {"busybox", "", "busybox", "", ""},
      {"busybox:latest", "", "busybox", "latest", ""},
      {"docker.io/library/python:3.11-slim", "docker.io", "python", "3.11-slim", ""},
      {"library/nginx:1.27", "", "nginx", "1.27", ""},
      {"nvidia/cuda:12.4.1-base-ubuntu22.04", "", "nvidia/cuda", "12.4.1-base-ubuntu22.04", ""},
      {"nvcr.io/nvidia/tritonserver:24.12-py3", "nvcr.io", "nvidia/tritonserver", "24.12-py3", ""},
      {"registry.local:5000/team/img:12.4.1-cuda12.4", "registry.local:5000", "team/img",
       "12.4.1-cuda12.4", ""},
      {"registry.local:5000/team/img", "registry.local:5000", "team/img", "", ""},
      {"localhost:5000/llm/server:1.0", "localhost:5000", "llm/server", "1.0", ""},
      {"localhost/llm:1.0", "localhost", "llm", "1.0", ""},
      {"vllm/vllm-openai" + at_digest, "", "vllm/vllm-openai", "", kDigest},
      {"nvidia/cuda:12.4.1-base-ubuntu22.04" + at_digest, "", "nvidia/cuda",
       "12.4.1-base-ubuntu22.04", kDigest},
      {"registry.local:5000/team/img:1.0" + at_digest, "registry.local:5000", "team/img", "1.0",
       kDigest},
      {"us-docker.pkg.dev/deeplearning-platform-release/gcr.io/huggingface-text-generation-"
       "inference-cu121.2-2.ubuntu2204:latest",
       "us-docker.pkg.dev",
       "deeplearning-platform-release/gcr.io/huggingface-text-generation-inference-cu121.2-2."
       "ubuntu2204",
       "latest", ""},
      // A first component without '.' or ':' is a Docker Hub namespace, not a registry.
      {"rocm/vllm:latest", "", "rocm/vllm", "latest", ""},
  };
  for (const Case& c : cases) {
    const auto ref = parse_image_ref(c.ref);
    ASSERT_TRUE(ref) << c.ref;
    EXPECT_EQ(ref->registry, c.registry) << c.ref;
    EXPECT_EQ(ref->repository, c.repository) << c.ref;
    EXPECT_EQ(ref->tag, c.tag) << c.ref;
    EXPECT_EQ(ref->digest, c.digest) << c.ref;
  }
}

TEST(ImageRefTest, Rejects) {
  for (const std::string ref :
       {"", " ", "nginx latest", "{{ .Values.image }}", "\"{{ .Values.image.repository }}\"",
        "nginx:", "nginx@", "/nginx", "nginx/", "a//b", "reg.io/", "a@b@c", "nginx:1.0:2.0",
        "img:tag\n"}) {
    EXPECT_FALSE(parse_image_ref(ref)) << ref;
  }
}

TEST(ImageRefTest, Helpers) {
  const auto ref = parse_image_ref("mirror.example.com/dockerhub/vllm/vllm-openai:v0.21.0");
  ASSERT_TRUE(ref);
  EXPECT_TRUE(ref->repository_is("vllm/vllm-openai"));
  EXPECT_FALSE(ref->repository_is("llm/vllm-openai"));  // must end at a '/'
  EXPECT_FALSE(ref->docker_hub());
  EXPECT_EQ(ref->name(), "vllm-openai");
  EXPECT_FALSE(parse_image_ref("lmcache/vllm-openai:latest")->repository_is("vllm/vllm-openai"));
  EXPECT_TRUE(parse_image_ref("docker.io/vllm/vllm-openai:v0.9.0")->docker_hub());
  EXPECT_EQ(parse_image_ref("busybox")->name(), "busybox");
}

TEST(ImageRefTest, ShortImage) {
  EXPECT_EQ(short_image("vllm/vllm-openai:v0.21.0", 40), "vllm/vllm-openai:v0.21.0");
  EXPECT_EQ(short_image("registry.example.com/llm/server:2.3.1-cuda12.4", 40),
            ".../llm/server:2.3.1-cuda12.4");
  EXPECT_EQ(short_image("registry.example.com/llm/server:2.3.1-cuda12.4", 26),
            ".../server:2.3.1-cuda12.4");
  // Still too long: the tail (tag) stays.
  EXPECT_EQ(short_image("registry.example.com/llm/server:2.3.1-cuda12.4", 16), "....3.1-cuda12.4");
  EXPECT_EQ(short_image("registry.example.com/llm/server:2.3.1-cuda12.4", 3).size(), 16u);
  const std::string by_digest = std::string("nvidia/cuda@") + kDigest;
  EXPECT_EQ(short_image(by_digest, 30).size(), 30u);
  EXPECT_TRUE(short_image(by_digest, 30).starts_with("..."));
}

}  // namespace
}  // namespace preflight::cuda
