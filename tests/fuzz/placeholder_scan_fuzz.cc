// Fuzz target: the template-placeholder scanners on env values, command/args, `sh -c` scripts
// and prompt-template ConfigMap data (all user input). The first byte picks the mode and the
// single-brace option; the rest is the text. Invariants: every token is a view inside the text;
// the display helpers stay within their 40-character bound (plus "...").

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/placeholder_scan.h"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// Splits at NUL bytes: a command or args list.
std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\0') {
      out.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ph = preflight::checks::placeholder;
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const ph::Mode mode = static_cast<ph::Mode>(selector % 4);
  const bool single_braces = (selector & 0x4) != 0;

  (void)ph::may_contain_placeholder(text);
  const std::vector<ph::Token> tokens = ph::scan(text, mode, single_braces);
  for (const ph::Token& t : tokens) {
    if (!inside(t.text, text) || !inside(t.var, text)) __builtin_trap();
    if (ph::display_token(t).size() > 64) __builtin_trap();
    if (!t.var.empty()) {
      (void)ph::script_assigns(text, t.var);
      (void)ph::template_defines(text, t.var);
      (void)ph::is_well_known_shell_var(t.var);
      (void)ph::is_service_link_var(t.var);
      (void)ph::is_jinja_builtin(t.var);
    }
  }
  if (ph::display_name(text).size() > 64) __builtin_trap();
  (void)ph::is_json_container(text);

  // command and args: the text split at NUL, cut in two at the first empty element.
  std::vector<std::string> parts = split(text);
  std::vector<std::string> command;
  std::vector<std::string> args;
  bool in_args = (selector & 0x8) != 0;
  for (std::string& p : parts) {
    if (p.empty()) {
      in_args = true;
      continue;
    }
    (in_args ? args : command).push_back(std::move(p));
  }
  const std::vector<std::string_view> command_views(command.begin(), command.end());
  const std::vector<std::string_view> args_views(args.begin(), args.end());
  if (auto script = ph::find_shell_script(command_views, args_views)) {
    if (script->index >= command.size() + args.size()) __builtin_trap();
  }
  return 0;
}
