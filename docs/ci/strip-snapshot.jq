# Strips values from `kubectl get secrets,configmaps,serviceaccounts,nodes -A -o json` before
# the snapshot leaves the cluster: preflight needs only names, key names and node labels
# (docs/ci.md). Secret and ConfigMap values become "", annotations (kubectl's
# last-applied-configuration holds the whole object, values included) and managedFields go,
# and Nodes keep metadata.labels only.
#   kubectl get secrets,configmaps,serviceaccounts,nodes -A -o json \
#     | jq -f docs/ci/strip-snapshot.jq > cluster-snapshot.json
def blank: if type == "object" then map_values("") else . end;
.items |= map(
  del(.metadata.annotations, .metadata.managedFields, .metadata.ownerReferences)
  | if .kind == "Secret" or .kind == "ConfigMap" then
      (.data |= blank) | (.binaryData |= blank) | (.stringData |= blank)
      | with_entries(select(.value != null))
    elif .kind == "Node" then
      {apiVersion, kind, metadata: {name: .metadata.name, labels: .metadata.labels}}
    else . end
)
