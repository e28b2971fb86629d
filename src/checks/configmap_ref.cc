#include "checks/configmap_ref.h"

#include "checks/object_ref.h"

namespace preflight::checks {

std::unique_ptr<Check> make_configmap_ref_check() {
  return make_object_ref_check(cluster::Resource::kConfigMap);
}

}  // namespace preflight::checks
