// `preflight check` and version-skew: the model card from the same manifest set, --modelcard
// FILE, and the seed's verdict block in the text report.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "cli/check_command.h"

namespace preflight::cli {
namespace {

const std::string kExamples = PREFLIGHT_TEST_DATA_DIR "/../../examples";

struct CliRun {
  int code;
  std::string out, err;
};

CliRun check(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = run_check(args, in, out, err);
  return {code, out.str(), err.str()};
}

std::string temp_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("preflight-skew-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

// A Deployment with a model card annotation and tokenizer revision `revision`.
std::string deployment(const std::string& revision, const std::string& card_annotation = "llm-card") {
  return R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
  namespace: prod
  annotations: {preflight.wfgy.io/modelcard: )" + card_annotation + R"(}
spec:
  template:
    spec:
      containers:
        - name: server
          image: r.io/s:1.0.0
          args: [--tokenizer-revision, )" + revision + R"(]
)";
}

const std::string kCardConfigMap = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: llm-card, namespace: prod}
data:
  modelcard.json: '{"tokenizer_sha": "ad4c1b9"}'
---
)";

TEST(CheckVersionSkew, ShippedExamplesReproduceTheSeedDemo) {
  CliRun broken = check({"-f", kExamples + "/version-skew-broken.yaml"});
  EXPECT_EQ(broken.code, 1) << broken.out << broken.err;
  for (const std::string want : {
           "✖ version-skew ........... 1 problem\n",
           "    ✔ env vars ............... OK\n",
           "    ✖ checkpoint ↔ tokenizer .. MISMATCH\n",
           "      • model: tokenizer_sha = `ad4c1b9` (modelcard llama-2-7b-chat-card)\n",
           "      • runtime: tokenizer revision = `9e7f02d` (container \"server\" arg "
           "--tokenizer-revision)\n",
           "→ Aborting deploy (use the override annotation to force)\n"
           "  preflight.wfgy.io/skip: \"version-skew\"\n",
       }) {
    EXPECT_NE(broken.out.find(want), std::string::npos) << "missing: " << want << "\n" << broken.out;
  }
  CliRun ok = check({"-f", kExamples + "/version-skew-ok.yaml"});
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("✔ version-skew ........... OK"), std::string::npos) << ok.out;
  EXPECT_EQ(ok.out.find("Aborting"), std::string::npos) << ok.out;
}

TEST(CheckVersionSkew, ModelCardFromTheManifestSet) {
  CliRun same_set = check({"-f", "-"}, kCardConfigMap + deployment("9e7f02d"));
  EXPECT_EQ(same_set.code, 1) << same_set.out;
  EXPECT_NE(same_set.out.find("declared tokenizer_sha ad4c1b9 (modelcard llm-card) but tokenizer "
                              "revision is 9e7f02d"),
            std::string::npos)
      << same_set.out;

  CliRun matching = check({"-f", "-"}, kCardConfigMap + deployment("ad4c1b9e0f3a6d2c18b7e94f5a0c3d1e2b4f6a8c"));
  EXPECT_EQ(matching.code, 0) << matching.out;

  CliRun absent = check({"-f", "-"}, deployment("9e7f02d"));
  EXPECT_EQ(absent.code, 0) << "no card among the manifests and no cluster: nothing to compare\n"
                            << absent.out;

  // With a snapshot (known cluster state), the missing ConfigMap is a finding.
  const std::string snapshot = temp_file("snapshot.yaml", "apiVersion: v1\nkind: List\nitems: []\n");
  CliRun missing = check({"-f", "-", "--cluster-snapshot", snapshot}, deployment("9e7f02d"));
  EXPECT_EQ(missing.code, 1) << missing.out;
  EXPECT_NE(missing.out.find("configmap \"llm-card\" not found in namespace \"prod\""), std::string::npos)
      << missing.out;
  std::filesystem::remove(snapshot);
}

TEST(CheckVersionSkew, ModelCardFlag) {
  const std::string card = temp_file("card.json", R"({"tokenizer_sha": "9e7f02d", "cuda": "12.1"})");
  // The file replaces the annotation's ConfigMap, and applies without the annotation too.
  CliRun replaced = check({"-f", "-", "--modelcard", card}, kCardConfigMap + deployment("9e7f02d"));
  EXPECT_EQ(replaced.code, 0) << replaced.out;
  CliRun every = check({"-f", "-", "--modelcard", card}, deployment("ad4c1b9", "\"\""));
  EXPECT_EQ(every.code, 1) << every.out;
  EXPECT_NE(every.out.find("declared tokenizer_sha 9e7f02d (--modelcard)"), std::string::npos) << every.out;

  const std::string bad = temp_file("bad.json", R"({"model": "llama"})");
  CliRun usage = check({"-f", "-", "--modelcard", bad}, deployment("ad4c1b9"));
  EXPECT_EQ(usage.code, 2);
  EXPECT_NE(usage.err.find("not a model card"), std::string::npos) << usage.err;
  CliRun unreadable = check({"-f", "-", "--modelcard", bad + ".nope"}, deployment("ad4c1b9"));
  EXPECT_EQ(unreadable.code, 2);
  EXPECT_NE(unreadable.err.find("cannot read"), std::string::npos) << unreadable.err;
  std::filesystem::remove(card);
  std::filesystem::remove(bad);
}

}  // namespace
}  // namespace preflight::cli
