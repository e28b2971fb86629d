#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "checks/check.h"
#include "checks/configmap_ref.h"
#include "checks/cuda_compat.h"
#include "checks/env_name.h"
#include "checks/secret_ref.h"
#include "checks/serviceaccount_ref.h"
#include "checks/template_placeholder.h"
#include "checks/version_skew.h"

namespace preflight::checks {

namespace {
std::vector<std::unique_ptr<Check>> build_checks() {
  std::vector<std::unique_ptr<Check>> checks;
  checks.push_back(make_configmap_ref_check());
  checks.push_back(make_cuda_compat_check());
  checks.push_back(make_env_name_check());
  checks.push_back(make_secret_ref_check());
  checks.push_back(make_serviceaccount_ref_check());
  checks.push_back(make_template_placeholder_check());
  checks.push_back(make_version_skew_check());
  std::sort(checks.begin(), checks.end(),
            [](const auto& a, const auto& b) { return a->id() < b->id(); });
  for (std::size_t i = 1; i < checks.size(); ++i) {
    if (checks[i]->id() == checks[i - 1]->id()) {
      std::fprintf(stderr, "preflight: duplicate check id %.*s\n",
                   static_cast<int>(checks[i]->id().size()), checks[i]->id().data());
      std::abort();
    }
  }
  return checks;
}
}  // namespace

const std::vector<std::unique_ptr<Check>>& all_checks() {
  static const auto* checks = new std::vector<std::unique_ptr<Check>>(build_checks());
  return *checks;
}

const std::vector<std::string_view>& known_check_ids() {
  static const std::vector<std::string_view> ids = {
      "configmap-ref", "cuda-compat",          "env-name",      "secret-ref",
      "serviceaccount-ref", "template-placeholder", "version-skew",
  };
  return ids;
}

}  // namespace preflight::checks
