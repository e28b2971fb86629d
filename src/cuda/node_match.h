#pragma once
// Which nodes a pod may land on: its nodeSelector and the required node affinity
// (requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms), with Kubernetes'
// semantics: every nodeSelector entry must equal the node's label, and at least one term must
// hold, where a term holds when all its matchExpressions do:
//   In / NotIn      the label is (not) one of the values; NotIn also holds without the label
//   Exists          the label is there; DoesNotExist: it is not
//   Gt / Lt         the label and the single value are integers, label > (<) value
// Where the workload view cannot tell, matching is generous, so that "matches no node" is never
// claimed wrongly: a term without matchExpressions (it may hold only matchFields, which the view
// does not keep) and an unknown operator both hold.
//
// has_placement: whether the pod constrains its nodes at all; a nodeSelector that only names
// kubernetes.io/os or kubernetes.io/arch does not count.
// on_provisioned_labels: whether the placement names a label that node provisioners create
// nodes for on demand, so that no matching node today proves nothing: cloud.google.com/* (GKE
// node auto-provisioning, Autopilot), karpenter.sh/*, karpenter.k8s.aws/*, eks.amazonaws.com/*
// (EKS Auto Mode), kubernetes.azure.com/* (AKS) and node.kubernetes.io/instance-type.

#include "cuda/node_capability.h"
#include "workload/workload.h"

namespace preflight::cuda {

bool requirement_matches(const NodeSelectorRequirement& r, const LabelMap& labels);

bool node_matches(const Workload& w, const LabelMap& labels);

bool has_placement(const Workload& w);

bool on_provisioned_labels(const Workload& w);

// An integer as Kubernetes reads Gt/Lt values and labels (base 10, optional sign, 64 bits).
std::optional<long long> parse_k8s_int(std::string_view text);

}  // namespace preflight::cuda
