#pragma once
// What the checks may ask about the cluster: does a Secret, ConfigMap or ServiceAccount exist
// in a namespace, and which keys does it hold. Implemented by the offline snapshot and by the
// API watch caches. Lookups are read-only, thread-safe and never call the API server.
// Secret values are never held: only names and key names.

#include <string>
#include <string_view>
#include <vector>

namespace preflight::cluster {

enum class Resource { kSecret, kConfigMap, kServiceAccount, kNode };

enum class Lookup { kFound, kNotFound, kUnknown };

class ClusterView {
 public:
  virtual ~ClusterView() = default;

  // kUnknown when the state for that resource is not available (cache not synced).
  // When found and `keys` is not null, fills it with the object's key names (sorted).
  virtual Lookup find(Resource resource, std::string_view ns, std::string_view name,
                      std::vector<std::string>* keys = nullptr) const = 0;
};

}  // namespace preflight::cluster
