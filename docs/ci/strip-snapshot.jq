# Strips values from `kubectl get secrets,configmaps,serviceaccounts,nodes -A -o json` before
# the snapshot leaves the cluster: preflight needs only names, key names, node labels and model
# cards (docs/ci.md). Secret values become ""; ConfigMap values become "" too, except a value
# that is a JSON model card (what `preflight.wfgy.io/modelcard` names), which keeps only its
# string fields model_version, tokenizer_sha, cuda and torch -- exactly what preflight keeps of
# it (docs/cluster-state.md), so `version-skew` gives the same answer as against the cluster.
# Annotations (kubectl's last-applied-configuration holds the whole object, values included)
# and managedFields go, and Nodes keep metadata.labels only.
#   kubectl get secrets,configmaps,serviceaccounts,nodes -A -o json \
#     | jq -f docs/ci/strip-snapshot.jq > cluster-snapshot.json
# (For a YAML snapshot, the same file with yq: `yq -y -f docs/ci/strip-snapshot.jq`.)
def blank: if type == "object" then map_values("") else . end;
def card:
  (try fromjson catch null) as $j
  | if ($j | type) == "object" then
      $j | with_entries(select((.key | IN("model_version", "tokenizer_sha", "cuda", "torch"))
                               and (.value | type) == "string"))
    else {} end;
# (with_entries, not map_values: jq 1.6 loses `try` inside `|=`.)
def keep_cards:
  if type == "object" then
    with_entries(.value = ((.value | card) as $c
                           | if ($c | length) > 0 then ($c | tojson) else "" end))
  else . end;
.items |= map(
  del(.metadata.annotations, .metadata.managedFields, .metadata.ownerReferences)
  | if .kind == "Secret" then
      (.data |= blank) | (.binaryData |= blank) | (.stringData |= blank)
      | with_entries(select(.value != null))
    elif .kind == "ConfigMap" then
      (.data |= keep_cards) | (.binaryData |= blank)
      | with_entries(select(.value != null))
    elif .kind == "Node" then
      {apiVersion, kind, metadata: {name: .metadata.name, labels: .metadata.labels}}
    else . end
)
