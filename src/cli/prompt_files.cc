#include "cli/prompt_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "checks/prompt_lint.h"
#include "cli/source_locator.h"

namespace preflight::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCheckId = "template-placeholder";

void lint_file(const fs::path& path, const policy::Policy& policy, Enforcement enforcement,
               Report& report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    report.errors.push_back(path.string() + ": cannot read: " + std::strerror(errno));
    return;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = std::move(buf).str();
  if (text.find('\0') != std::string::npos) return;  // binary, not a prompt
  for (const checks::PromptProblem& p : checks::lint_prompt(text, policy.prompt_vars)) {
    Finding f{std::string(kCheckId),
              enforcement,
              {},
              "prompt",
              {},
              checks::prompt_problem_message(p),
              checks::prompt_problem_fix(p)};
    f.value_offset = p.offset;
    const SourcePosition at = position_of_offset(text, p.offset);
    report.findings.push_back({path.string(), at.line, at.column, {}, std::move(f)});
  }
}

}  // namespace

int lint_prompt_paths(const std::vector<std::string>& paths, const policy::Policy& policy,
                      Report& report) {
  const Enforcement enforcement = policy.enforcement_for(kCheckId);
  int linted = 0;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      report.errors.push_back(p + ": cannot read: no such file or directory");
      continue;
    }
    std::vector<fs::path> files;
    if (!fs::is_directory(st)) {
      files.emplace_back(p);
    } else {
      for (auto it = fs::recursive_directory_iterator(
               p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file()) files.push_back(it->path());
      }
      if (ec) report.errors.push_back(p + ": cannot read: " + ec.message());
      std::sort(files.begin(), files.end());
    }
    for (const fs::path& f : files) {
      ++linted;
      if (enforcement != Enforcement::kOff) lint_file(f, policy, enforcement, report);
    }
  }
  return linted;
}

}  // namespace preflight::cli
