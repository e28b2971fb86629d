// The cost of one review without any transport: handle_validate() on a review file, in process,
// with every check on and the cluster state from a snapshot (as `preflight serve
// --cluster-snapshot`), info logs written (stderr; redirect it). For profiling the review alone:
//
//   build/preflight_review_cost bench/reviews/realistic.json bench/reviews/cluster.json 20000 2>/dev/null
//   valgrind --tool=callgrind build/preflight_review_cost ... 2000 2>/dev/null
//
// Prints the status and size of the answer (so a change that breaks the review shows) and the
// wall time per review. With callgrind, divide the instructions by the count (the one-off
// start-up is small next to a few thousand reviews; run it with two counts to subtract it).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cluster/cluster_source.h"
#include "log/log.h"
#include "metrics/preflight_metrics.h"
#include "metrics/registry.h"
#include "policy/policy.h"
#include "server/certificate_store.h"
#include "server/runtime.h"
#include "server/validate_handler.h"

using namespace preflight;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: preflight_review_cost REVIEW.json CLUSTER_SNAPSHOT COUNT\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string body = buf.str();
  const long count = std::atol(argv[3]);
  if (body.empty() || count <= 0) {
    std::cerr << "preflight_review_cost: empty review or bad count\n";
    return 2;
  }
  log::init("info");
  auto cluster = cluster::ClusterSource::from_snapshot(argv[2]);
  if (!cluster.ok()) {
    std::cerr << "preflight_review_cost: " << cluster.error() << "\n";
    return 2;
  }
  auto policy = std::make_shared<const policy::Policy>(policy::default_policy());
  metrics::Registry registry;
  metrics::PreflightMetrics m(registry, policy->metrics_max_namespaces);
  server::CertificateStore certs("", "");  // never loaded: the review does not touch it
  server::Runtime runtime(policy, cluster.value().get(), certs, m);

  server::HttpReply reply;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) reply = server::handle_validate(body, std::chrono::seconds(10), runtime);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("status %d, answer %zu bytes, %ld reviews, %.2f us per review\n", reply.status,
              reply.body.size(), count, seconds * 1e6 / static_cast<double>(count));
  return reply.status == 200 ? 0 : 1;
}
