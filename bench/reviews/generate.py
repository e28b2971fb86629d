#!/usr/bin/env python3
"""Writes the AdmissionReview fixtures of bench/run.sh (deterministic; rerun after editing):

  realistic.json  CREATE of a 4-8 KB GPU Deployment: secrets by key and envFrom, ConfigMaps,
                  a prompt template in env, init container, sidecar, probes, volumes, affinity.
  large.json      UPDATE of the same Deployment as the API server sends it after client-side
                  apply: managedFields and kubectl.kubernetes.io/last-applied-configuration in
                  object and oldObject, padded with realistic annotations to about 60 KB.
  cluster.json    the objects they reference (a v1 List for fakeapi --objects): all references
                  resolve and the image's CUDA fits the node pool, so the review is allowed.

  generate.py --nodes N FILE   writes cluster.json's objects plus N Nodes of about 20 labels
                  each (a quarter GPU in four pools with GFD labels, the rest CPU) to FILE, for
                  the review cost at scale (docs/performance.md, "Scale").
"""
import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "prod"


def env_secret(name, secret, key):
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def env_cm(name, cm, key):
    return {"name": name, "valueFrom": {"configMapKeyRef": {"name": cm, "key": key}}}


def deployment():
    labels = {"app.kubernetes.io/name": "llm-api", "app.kubernetes.io/instance": "llm-api-prod",
              "app.kubernetes.io/version": "2.3.1", "app.kubernetes.io/component": "inference",
              "app.kubernetes.io/part-of": "assistant", "team": "ml-platform"}
    server = {
        "name": "server",
        "image": "registry.example.com/llm/server:2.3.1-cuda12.2",
        "imagePullPolicy": "IfNotPresent",
        "command": ["python3", "-m", "server"],
        "args": ["--model", "$(MODEL_ID)", "--max-model-len", "$(MAX_MODEL_LEN)", "--port", "8000",
                 "--tensor-parallel-size", "1", "--gpu-memory-utilization", "0.92"],
        "ports": [{"name": "http", "containerPort": 8000, "protocol": "TCP"},
                  {"name": "metrics", "containerPort": 9400, "protocol": "TCP"}],
        "env": [
            env_secret("OPENAI_API_KEY", "openai", "api-key"),
            env_secret("HF_TOKEN", "hf-token", "HF_TOKEN"),
            env_cm("MODEL_ID", "llm-config", "MODEL_ID"),
            env_cm("MAX_MODEL_LEN", "llm-config", "MAX_MODEL_LEN"),
            {"name": "MODEL_CACHE_DIR", "value": "/models/$(MODEL_ID)"},
            {"name": "SYSTEM_PROMPT_TEMPLATE",
             "value": "{\"role\": \"system\", \"content\": \"You are a helpful assistant.\"}"},
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "CUDA_VISIBLE_DEVICES", "value": "0"},
            {"name": "NCCL_DEBUG", "value": "WARN"},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "GPU_LIMIT", "valueFrom": {"resourceFieldRef": {
                "containerName": "server", "resource": "limits.nvidia.com/gpu"}}},
        ],
        "envFrom": [{"configMapRef": {"name": "llm-config"}, "prefix": "LLM_"}],
        "resources": {"limits": {"cpu": "8", "memory": "48Gi", "nvidia.com/gpu": "1"},
                      "requests": {"cpu": "4", "memory": "32Gi", "nvidia.com/gpu": "1"}},
        "readinessProbe": {"httpGet": {"path": "/health", "port": "http"},
                           "initialDelaySeconds": 30, "periodSeconds": 10, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/health", "port": "http"},
                          "initialDelaySeconds": 120, "periodSeconds": 20, "failureThreshold": 5},
        "volumeMounts": [{"name": "models", "mountPath": "/models"},
                         {"name": "api-keys", "mountPath": "/etc/llm/keys", "readOnly": True},
                         {"name": "config", "mountPath": "/etc/llm/config", "readOnly": True},
                         {"name": "shm", "mountPath": "/dev/shm"}],
        "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True,
                            "capabilities": {"drop": ["ALL"]}},
    }
    proxy = {
        "name": "auth-proxy",
        "image": "registry.example.com/platform/auth-proxy:1.8.4",
        "args": ["--upstream=http://127.0.0.1:8000", "--listen=:8443"],
        "ports": [{"name": "https", "containerPort": 8443}],
        "env": [env_secret("PROXY_CLIENT_SECRET", "hf-token", "HF_TOKEN"),
                {"name": "UPSTREAM_TIMEOUT", "value": "120s"}],
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"},
                      "requests": {"cpu": "100m", "memory": "128Mi"}},
    }
    init = {
        "name": "fetch-model",
        "image": "registry.example.com/llm/fetcher:0.9.2",
        "command": ["sh", "-c", "mkdir -p /models/$MODEL_ID && fetch --repo \"$MODEL_ID\" --dest /models"],
        "env": [env_cm("MODEL_ID", "llm-config", "MODEL_ID"),
                env_secret("HF_TOKEN", "hf-token", "HF_TOKEN")],
        "volumeMounts": [{"name": "models", "mountPath": "/models"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "llm-api", "namespace": NS, "labels": labels,
            "annotations": {"preflight.wfgy.io/model-version": "2.3.1",
                            "deployment.kubernetes.io/revision": "7"},
        },
        "spec": {
            "replicas": 3,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "llm-api",
                                         "app.kubernetes.io/instance": "llm-api-prod"}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": labels,
                             "annotations": {"prometheus.io/scrape": "true",
                                             "prometheus.io/port": "9400"}},
                "spec": {
                    "serviceAccountName": "llm-server",
                    "imagePullSecrets": [{"name": "regcred"}],
                    "nodeSelector": {"pool": "a100-535"},
                    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{"matchExpressions": [
                            {"key": "nvidia.com/gpu.present", "operator": "In", "values": ["true"]}]}]}}},
                    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists",
                                     "effect": "NoSchedule"}],
                    "terminationGracePeriodSeconds": 60,
                    "initContainers": [init],
                    "containers": [server, proxy],
                    "volumes": [
                        {"name": "models", "emptyDir": {"sizeLimit": "100Gi"}},
                        {"name": "api-keys", "secret": {"secretName": "openai",
                                                        "items": [{"key": "api-key", "path": "openai"}]}},
                        {"name": "config", "configMap": {"name": "llm-config"}},
                        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}},
                    ],
                },
            },
        },
    }


def review(uid, operation, obj, old=None):
    req = {
        "uid": uid,
        "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
        "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
        "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
        "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
        "name": "llm-api", "namespace": NS, "operation": operation,
        "userInfo": {"username": "system:serviceaccount:ci:deployer",
                     "uid": "5d1c9a0e-0b2f-4e8e-9a55-0c8f2b1d7e11",
                     "groups": ["system:serviceaccounts", "system:serviceaccounts:ci",
                                "system:authenticated"]},
        "object": obj, "oldObject": old, "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions" if operation == "CREATE"
                    else "UpdateOptions", "fieldManager": "kubectl-client-side-apply"},
    }
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


def fields_v1(value):
    """managedFields' fieldsV1 for a JSON value: every key as f:KEY, list items as k:/v: keys."""
    if isinstance(value, dict):
        out = {".": {}}
        for k, v in value.items():
            out["f:" + k] = fields_v1(v)
        return out
    if isinstance(value, list):
        out = {".": {}}
        for i, item in enumerate(value):
            key = json.dumps({"name": item["name"]}, separators=(",", ":")) if isinstance(item, dict) and "name" in item else json.dumps(i)
            out["k:" + key] = fields_v1(item)
        return out
    return {}


def large(obj, generation):
    obj = copy.deepcopy(obj)
    meta = obj["metadata"]
    applied = copy.deepcopy(obj)
    meta["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(
        applied, separators=(",", ":"), sort_keys=True) + "\n"
    meta.update({"uid": "0b7c5e2a-7f0e-4c7d-9a53-1f2e3d4c5b6a", "generation": generation,
                 "resourceVersion": str(881000 + generation),
                 "creationTimestamp": "2026-10-02T09:14:07Z"})
    # Notes teams keep on a workload: runbooks, owners, change tickets (plain text, no secrets).
    for i in range(16):
        meta["annotations"][f"ops.example.com/runbook-{i:02d}"] = (
            f"https://runbooks.example.com/llm-api/section-{i:02d} step {i}: check GPU memory, "
            "drain the node pool if ECC errors persist, page #ml-platform-oncall")
    managers = []
    for i, manager in enumerate(["kubectl-client-side-apply", "argocd-controller",
                                 "kubectl-rollout"]):
        managers.append({"manager": manager, "operation": "Update" if i else "Apply",
                         "apiVersion": "apps/v1", "time": f"2026-11-2{i}T10:00:0{i}Z",
                         "fieldsType": "FieldsV1", "fieldsV1": fields_v1(
                             {"metadata": applied["metadata"], "spec": applied["spec"]})})
    meta["managedFields"] = managers
    obj["status"] = {"observedGeneration": generation, "replicas": 3, "updatedReplicas": 3,
                     "readyReplicas": 3, "availableReplicas": 3,
                     "conditions": [{"type": "Available", "status": "True",
                                     "reason": "MinimumReplicasAvailable",
                                     "lastUpdateTime": "2026-11-27T10:00:00Z",
                                     "lastTransitionTime": "2026-11-27T10:00:00Z",
                                     "message": "Deployment has minimum availability."}]}
    return obj


def cluster():
    # The objects of examples/cluster-snapshot.yaml that the Deployment references.
    def secret(name, keys):
        return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": name, "namespace": NS},
                "data": {k: "ZmFrZQ==" for k in keys}}
    def cm(name, data):
        return {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": NS}, "data": data}
    gpu_labels = {"kubernetes.io/hostname": "gpu-a100-1", "nvidia.com/gpu.present": "true",
                  "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB",
                  "nvidia.com/cuda.driver.major": "535", "nvidia.com/cuda.driver.minor": "104",
                  "nvidia.com/cuda.driver.rev": "05", "nvidia.com/cuda.runtime.major": "12",
                  "nvidia.com/cuda.runtime.minor": "2", "pool": "a100-535"}
    items = [
        secret("openai", ["api-key"]), secret("hf-token", ["HF_TOKEN"]),
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
         "metadata": {"name": "regcred", "namespace": NS}, "data": {".dockerconfigjson": "e30="}},
        cm("llm-config", {"MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct", "MAX_MODEL_LEN": "8192"}),
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "llm-server", "namespace": NS}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": NS}},
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "gpu-a100-1", "labels": gpu_labels}},
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "cpu-1", "labels": {"pool": "cpu"}}},
    ]
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


def scale_nodes(n):
    # GPU pools: (pool, product, driver major/minor/rev, CUDA runtime major/minor, compute).
    pools = [("a100-535", "NVIDIA-A100-SXM4-40GB", "535", "104", "05", "12", "2", "8", "0"),
             ("h100-550", "NVIDIA-H100-80GB-HBM3", "550", "54", "15", "12", "4", "9", "0"),
             ("l4-550", "NVIDIA-L4", "550", "90", "07", "12", "4", "8", "9"),
             ("t4-535", "Tesla-T4", "535", "183", "01", "12", "2", "7", "5")]
    nodes = []
    for i in range(n):
        name = "node-%05d" % i
        labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                  "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                  "beta.kubernetes.io/arch": "amd64",
                  "topology.kubernetes.io/region": "eu-west-1",
                  "topology.kubernetes.io/zone": "eu-west-1" + "abc"[i % 3],
                  "node.kubernetes.io/instance-type": "m6i.4xlarge",
                  "node-role.kubernetes.io/worker": "", "team": "team-%d" % (i % 17),
                  "node.kubernetes.io/lifecycle": "normal", "example.com/cost-center": "cc-42",
                  "example.com/owner": "platform", "example.com/os-image": "ubuntu-22.04"}
        if i % 4 == 0:
            pool, product, dmaj, dmin, drev, rmaj, rmin, cmaj, cmin = pools[(i // 4) % len(pools)]
            labels.update({
                "pool": pool, "node.kubernetes.io/instance-type": "p4d.24xlarge",
                "nvidia.com/gpu.present": "true", "nvidia.com/gpu.product": product,
                "nvidia.com/gpu.count": "8", "nvidia.com/gpu.memory": "40960",
                "nvidia.com/cuda.driver.major": dmaj, "nvidia.com/cuda.driver.minor": dmin,
                "nvidia.com/cuda.driver.rev": drev, "nvidia.com/cuda.runtime.major": rmaj,
                "nvidia.com/cuda.runtime.minor": rmin, "nvidia.com/gpu.compute.major": cmaj,
                "nvidia.com/gpu.compute.minor": cmin})
        else:
            labels.update({"pool": "cpu-%d" % (i % 3), "cloud.example.com/spot": "false",
                           "cloud.example.com/image": "ubuntu-22.04-20261101",
                           "example.com/rack": "r%03d" % (i % 200),
                           "example.com/maintenance-window": "sun-02"})
        nodes.append({"apiVersion": "v1", "kind": "Node",
                      "metadata": {"name": name, "labels": labels}})
    return nodes


def write(name, doc):
    with open(os.path.join(HERE, name), "w") as f:
        # Compact, as the API server sends it.
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--nodes":
        doc = cluster()
        doc["items"] += scale_nodes(int(sys.argv[2]))
        write(os.path.abspath(sys.argv[3]), doc)
        return
    dep = deployment()
    write("realistic.json", review("bench-realistic-0001", "CREATE", dep))
    old = large(dep, 6)
    new = large(dep, 7)
    new["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] = \
        "2026-11-28T09:00:00Z"
    write("large.json", review("bench-large-0001", "UPDATE", new, old))
    write("cluster.json", cluster())


if __name__ == "__main__":
    main()
