#pragma once
// For the differential test and fuzz target of decode_review's two readers: everything the
// server does with a decoded review (the request's fields, the Workload of object and
// oldObject for each kind, the decision), as text to compare.

#include <sstream>
#include <string>
#include <string_view>

#include "admission/decider.h"
#include "admission/review.h"
#include "checks/check.h"
#include "policy/policy.h"

namespace preflight::testing {

inline void describe_map(std::ostream& o, const char* what, const StringMap& m) {
  o << what << "{";
  for (const auto& [k, v] : m) o << k << "=" << v << ";";
  o << "}\n";
}

inline std::string describe_workload(const Result<Workload>& r) {
  if (!r.ok()) return "error: " + r.error() + "\n";
  const Workload& w = *r;
  std::ostringstream o;
  o << w.display() << " spec=" << w.pod_spec_path << " sa=" << w.service_account << "\n";
  describe_map(o, "labels", w.labels);
  describe_map(o, "annotations", w.annotations);
  describe_map(o, "template_labels", w.template_labels);
  describe_map(o, "template_annotations", w.template_annotations);
  describe_map(o, "node_selector", w.node_selector);
  describe_map(o, "data", w.data);
  for (const auto& s : w.image_pull_secrets) o << "pull " << s << "\n";
  for (const auto& t : w.required_node_affinity) {
    o << "term " << t.path.str() << "\n";
    for (const auto& e : t.match_expressions) {
      o << " " << e.key << " " << e.op;
      for (const auto& v : e.values) o << " " << v;
      o << "\n";
    }
  }
  for (const Container& c : w.containers) {
    o << "container " << static_cast<int>(c.type) << " " << c.path.str() << " " << c.name << " "
      << c.image << "\n";
    for (const auto& s : c.command) o << " cmd " << s << "\n";
    for (const auto& s : c.args) o << " arg " << s << "\n";
    for (const EnvVar& e : c.env) {
      o << " env " << e.path.str() << " " << e.name << " " << static_cast<int>(e.source) << " " << e.value
        << " " << e.ref_name << " " << e.ref_key << " " << e.optional << "\n";
    }
    for (const EnvFromSource& e : c.env_from) {
      o << " envFrom " << e.path.str() << " " << static_cast<int>(e.kind) << " " << e.name << " "
        << e.prefix << " " << e.optional << "\n";
    }
    describe_map(o, " limits", c.resource_limits);
    describe_map(o, " requests", c.resource_requests);
  }
  for (const Volume& v : w.volumes) {
    o << "volume " << v.path.str() << " " << v.name << " " << static_cast<int>(v.kind) << " "
      << v.ref_name << " " << v.optional;
    for (const auto& k : v.keys) o << " " << k;
    o << "\n";
  }
  return o.str();
}

// The request, the Workloads of its objects as every kind, and the decision.
inline std::string describe_review(const Result<admission::AdmissionRequest>& r,
                                   const checks::CheckContext& ctx) {
  if (!r.ok()) return "error: " + r.error();
  const admission::AdmissionRequest& q = *r;
  std::ostringstream o;
  o << q.api_version << "|" << q.uid << "|" << q.kind << "|" << q.resource.group << "|"
    << q.resource.version << "|" << q.resource.resource << "|" << q.sub_resource << "|" << q.name
    << "|" << q.namespace_name << "|" << q.operation << "|" << q.username << "|" << q.dry_run
    << "\n";
  for (int k = 0; k <= static_cast<int>(WorkloadKind::kConfigMap); ++k) {
    auto kind = static_cast<WorkloadKind>(k);
    if (q.document) {
      o << "object: " << describe_workload(workload_from_json(q.view_object, kind));
      o << "old: " << describe_workload(workload_from_json(q.view_old_object, kind));
    } else {
      o << "object: " << describe_workload(workload_from_json(q.object, kind));
      o << "old: " << describe_workload(workload_from_json(q.old_object, kind));
    }
  }
  admission::Decision d = admission::decide(q, checks::all_checks(), ctx);
  o << admission::encode_review(q.api_version, d.response) << "\n" << d.outcome << " " << d.kind
    << " " << d.workload << " " << d.skipped << "\n";
  for (const Finding& f : d.findings) o << format_finding(f) << "\n";
  return o.str();
}

}  // namespace preflight::testing
