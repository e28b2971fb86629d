#include "checks/serviceaccount_ref.h"

#include "checks/object_ref.h"

namespace preflight::checks {

namespace {

using cluster::Lookup;
using cluster::Resource;

constexpr std::string_view kCheckId = "serviceaccount-ref";

class ServiceAccountRef final : public Check {
 public:
  std::string_view id() const override { return kCheckId; }

  std::vector<Finding> run(const Workload& workload, const CheckContext& ctx) const override {
    std::vector<Finding> out;
    const std::string_view name = workload.service_account;
    if (ctx.cluster == nullptr || workload.kind == WorkloadKind::kConfigMap || name.empty() ||
        name == "default") {
      return out;
    }
    const std::string_view ns = reference_namespace(workload);
    const Lookup lookup = ctx.cluster->find(Resource::kServiceAccount, ns, name);
    if (lookup == Lookup::kFound) return out;
    std::optional<Enforcement> severity = Enforcement::kDeny;
    if (lookup == Lookup::kUnknown) {
      severity = unverified_severity(ctx.policy);
      if (!severity) return out;
    }
    Finding& f = out.emplace_back();
    f.check = std::string(kCheckId);
    f.severity = *severity;
    f.subject = "serviceAccountName " + short_name(name);
    f.field_path = std::string(workload.pod_spec_path) + ".serviceAccountName";
    if (lookup == Lookup::kUnknown) {
      describe_unverified(f, Resource::kServiceAccount, name,
                          ctx.cluster->unknown_reason(Resource::kServiceAccount));
      return out;
    }
    f.message = "serviceaccount \"" + short_name(name) + "\" not found in namespace \"" +
                short_name(ns) + "\"";
    f.fix = workload.kind == WorkloadKind::kPod
                ? "create it first: the API server rejects the pod without it"
                : "create it first: until it exists the controller cannot create any pod";
    return out;
  }
};

}  // namespace

std::unique_ptr<Check> make_serviceaccount_ref_check() {
  return std::make_unique<ServiceAccountRef>();
}

}  // namespace preflight::checks
