#pragma once
#include <memory>

#include "checks/check.h"

namespace preflight::checks {
std::unique_ptr<Check> make_template_placeholder_check();
}  // namespace preflight::checks
