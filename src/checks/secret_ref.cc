#include "checks/secret_ref.h"

#include "checks/object_ref.h"

namespace preflight::checks {

std::unique_ptr<Check> make_secret_ref_check() {
  return make_object_ref_check(cluster::Resource::kSecret);
}

}  // namespace preflight::checks
