#include "admission/decider.h"

#include <algorithm>
#include <unordered_set>

#include "util/text.h"

namespace preflight::admission {

namespace {

// The CONTRACT keeps warnings under 256 characters.
constexpr std::size_t kMaxWarningBytes = 255;
constexpr std::string_view kAlreadyLive = " (already in the live object; not blocking this update)";

Decision allow_unchecked(const AdmissionRequest& request, std::string why) {
  Decision d;
  d.response.uid = request.uid;
  d.kind = request.resource.resource;
  if (auto kind = kind_for_resource(request.resource.group, request.resource.resource)) {
    d.metric_kind = to_string(*kind);
  }
  d.skipped = std::move(why);
  return d;
}

// request.object (or oldObject) as a Workload, from whichever reader decoded the request.
Result<Workload> workload_of(const AdmissionRequest& request, bool old, WorkloadKind kind) {
  if (request.document) {
    // The Workload points into the document and keeps it alive.
    return workload_from_json(old ? request.view_old_object : request.view_object, kind,
                              request.document);
  }
  return workload_from_json(old ? request.old_object : request.object, kind);
}

}  // namespace

std::string denial_message(std::string_view workload, const std::vector<Finding>& denying) {
  std::string msg = "preflight rejected ";
  msg.append(workload).append(": ").append(std::to_string(denying.size()));
  msg.append(denying.size() == 1 ? " problem" : " problems");
  for (const Finding& f : denying) msg.append("\n").append(sanitize_line(format_finding(f), 1024));
  return msg;
}

Decision decide(const AdmissionRequest& request,
                const std::vector<std::unique_ptr<checks::Check>>& checks,
                const checks::CheckContext& ctx) {
  if (request.operation == "DELETE" || request.operation == "CONNECT") {
    return allow_unchecked(request, request.operation);
  }
  if (!request.sub_resource.empty()) {
    return allow_unchecked(request, "subresource " + request.sub_resource);
  }
  auto kind = kind_for_resource(request.resource.group, request.resource.resource);
  if (!kind) return allow_unchecked(request, "not inspected");

  Decision d;
  d.response.uid = request.uid;
  d.metric_kind = to_string(*kind);
  d.kind = std::string(d.metric_kind);

  Result<Workload> workload = workload_of(request, false, *kind);
  if (!workload.ok()) {
    std::string who = d.kind;
    if (!request.namespace_name.empty()) who.append(" ").append(request.namespace_name).append("/");
    else who.append(" ");
    who.append(request.name);
    d.response.allowed = false;
    d.response.code = 400;
    d.response.reason = "BadRequest";
    d.response.message = sanitize_line("preflight cannot inspect " + who + ": " + workload.error(), 1024);
    d.outcome = "error";
    return d;
  }
  Workload& w = workload.value();
  // The object in a CREATE may not carry its namespace yet; the request always does.
  if (w.namespace_name.empty()) w.namespace_name = request.namespace_name;
  if (w.name.empty()) w.name = request.name;
  d.workload = w.display();

  // A ConfigMap is inspected only when it declares prompt templates.
  if (*kind == WorkloadKind::kConfigMap && w.label("preflight.wfgy.io/prompts") != "true") {
    d.skipped = "not inspected";
    return d;
  }

  Evaluation eval = evaluate(w, checks, ctx);
  if (eval.exempt) {
    d.skipped = "exempt";
    return d;
  }

  // UPDATE: a problem the live object already has is reported, never blocking. Only denials
  // and warnings read that, so without them the live object is not inspected.
  std::unordered_set<std::string> old_identities;
  const bool has_old = request.document ? request.view_old_object.is_object()
                                        : request.old_object.is_object();
  const bool any_reported =
      std::any_of(eval.findings.begin(), eval.findings.end(),
                  [](const Finding& f) { return f.severity >= Enforcement::kWarn; });
  if (request.operation == "UPDATE" && has_old && any_reported) {
    if (Result<Workload> old = workload_of(request, true, *kind); old.ok()) {
      if (old->namespace_name.empty()) old->namespace_name = request.namespace_name;
      for (const Finding& f : evaluate(*old, checks, ctx).findings) old_identities.insert(f.identity());
    }
  }

  std::vector<Finding> denying;
  std::vector<std::string>& warnings = d.response.warnings;
  for (const std::string& notice : eval.notices) warnings.push_back(sanitize_line(notice, kMaxWarningBytes));
  for (Finding& f : eval.findings) {
    bool preexisting = !old_identities.empty() && old_identities.contains(f.identity());
    if (f.severity == Enforcement::kDeny && preexisting) f.severity = Enforcement::kWarn;
    if (f.severity == Enforcement::kDeny) {
      denying.push_back(f);
    } else if (f.severity == Enforcement::kWarn) {
      if (preexisting) {
        // Cut the finding, not the note: "not blocking" is the point of this warning.
        warnings.push_back(sanitize_line(format_finding(f), kMaxWarningBytes - kAlreadyLive.size())
                               .append(kAlreadyLive));
      } else {
        warnings.push_back(sanitize_line(format_finding(f), kMaxWarningBytes));
      }
    }
  }
  d.findings = std::move(eval.findings);
  d.overridden = std::move(eval.overridden);

  if (!denying.empty()) {
    d.response.allowed = false;
    d.response.code = 403;
    d.response.reason = "Forbidden";
    d.response.message = denial_message(d.workload, denying);
    d.outcome = "denied";
  } else if (!warnings.empty()) {
    d.outcome = "warned";
  }
  return d;
}

}  // namespace preflight::admission
