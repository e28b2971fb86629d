// The shell half of the placeholder scanner (declared in placeholder_scan.h and
// placeholder_lexer.h): where `sh -c` scripts expand ${VAR} (quotes, comments, heredocs), which
// variables a script assigns itself, and which are set by every shell or base image.

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/placeholder_lexer.h"
#include "checks/placeholder_scan.h"

namespace preflight::checks::placeholder {

using namespace detail;  // NOLINT: the lexing helpers shared with placeholder_scan.cc

namespace {

struct Heredoc {
  std::string_view delim;
  bool quoted = false;      // <<'EOF', <<"EOF", <<\EOF: the body is literal
  bool strip_tabs = false;  // <<-EOF
};

// A heredoc body: {{ }} and <no value> always; ${VAR} unless the delimiter was quoted.
void scan_heredoc_body(std::string_view body, bool expand, std::vector<Token>& out) {
  Closer expr_close{'}', '}'};
  const std::size_t last_close = body.rfind('}');
  std::size_t i = 0;
  while (i < body.size()) {
    std::size_t end = may_match_always(body[i]) ? match_always(body, i, expr_close, out) : npos;
    if (end == npos && expand && body[i] == '\\') end = i + 2;
    if (end == npos && expand && body[i] == '$' && i + 1 < body.size() && body[i + 1] == '{') {
      end = match_braced(body, i, last_close, out);
    }
    i = end == npos ? i + 1 : end;
  }
}

// Reads the bodies of `pending` heredocs starting at `pos`; returns where the script resumes.
std::size_t consume_heredocs(std::string_view s, std::size_t pos, const Heredoc* pending,
                             std::size_t count, std::vector<Token>& out) {
  for (std::size_t h = 0; h < count && pos < s.size(); ++h) {
    const std::size_t body_start = pos;
    std::size_t body_end = s.size();
    std::size_t resume = s.size();
    while (pos < s.size()) {
      std::size_t eol = s.find('\n', pos);
      if (eol == npos) eol = s.size();
      std::string_view line = s.substr(pos, eol - pos);
      if (pending[h].strip_tabs) {
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      }
      if (line == pending[h].delim) {
        body_end = pos;
        resume = std::min(eol + 1, s.size());
        break;
      }
      pos = eol + 1;
    }
    scan_heredoc_body(s.substr(body_start, body_end - body_start), !pending[h].quoted, out);
    pos = resume;
  }
  return std::min(pos, s.size());
}

// At `<<`: parses the heredoc operator. Returns where scanning resumes; fills `h` when it is one.
std::size_t parse_heredoc(std::string_view s, std::size_t i, Heredoc& h) {
  std::size_t j = i + 2;
  if (j < s.size() && s[j] == '<') return j + 1;  // here-string
  if (j < s.size() && s[j] == '-') {
    h.strip_tabs = true;
    ++j;
  }
  while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
  if (j < s.size() && (s[j] == '\'' || s[j] == '"')) {
    const std::size_t close = s.find(s[j], j + 1);
    if (close == npos) return j;
    h.delim = s.substr(j + 1, close - j - 1);
    h.quoted = true;
    return close + 1;
  }
  if (j < s.size() && s[j] == '\\') {
    h.quoted = true;
    ++j;
  }
  const std::size_t b = j;
  while (j < s.size() && (is_ident_char(s[j]) || s[j] == '-' || s[j] == '.')) ++j;
  // `1 << 2` in arithmetic is no heredoc: a delimiter starts like a word.
  if (j > b && is_ident_start(s[b])) h.delim = s.substr(b, j - b);
  return j;
}

constexpr bool is_command_break(char c) {
  return c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')' || c == '`' ||
         c == '{';
}

// The bytes scan_shell_script acts on: token starts ({{, <no value>, ${), quotes, escapes,
// comments, heredocs and the newline that ends comments and starts heredoc bodies.
constexpr auto kShellSpecial = [] {
  std::array<bool, 256> t{};
  for (const char c : std::string_view("{<$\\'\"#\n")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

void scan_shell_script(std::string_view s, std::vector<Token>& out) {
  enum class Quote { kNone, kSingle, kDouble };
  Quote quote = Quote::kNone;
  bool comment = false;
  std::array<Heredoc, 4> pending;
  std::size_t pending_count = 0;
  Closer expr_close{'}', '}'};
  const std::size_t last_close = s.rfind('}');
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    // Any other byte changes no state below (in or out of quotes and comments): step over it.
    if (!kShellSpecial[static_cast<unsigned char>(c)]) {
      ++i;
      continue;
    }
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (std::size_t end = may_match_always(c) ? match_always(s, i, expr_close, out) : npos;
        end != npos) {
      i = end;
      continue;
    }
    if (comment && c != '\n') {
      ++i;
      continue;
    }
    comment = false;
    if (quote == Quote::kSingle) {
      if (c == '\'') quote = Quote::kNone;
      ++i;
      continue;
    }
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '$' && next == '{') {
      if (std::size_t end = match_braced(s, i, last_close, out); end != npos) {
        i = end;
        continue;
      }
    }
    if (quote == Quote::kDouble) {
      if (c == '"') quote = Quote::kNone;
      ++i;
      continue;
    }
    if (c == '\'') {
      quote = Quote::kSingle;
    } else if (c == '"') {
      quote = Quote::kDouble;
    } else if (c == '#' && (i == 0 || is_space(s[i - 1]) || is_command_break(s[i - 1]))) {
      comment = true;
    } else if (c == '<' && next == '<') {
      Heredoc h;
      i = parse_heredoc(s, i, h);
      if (!h.delim.empty() && pending_count < pending.size()) pending[pending_count++] = h;
      continue;
    } else if (c == '\n' && pending_count > 0) {
      i = consume_heredocs(s, i + 1, pending.data(), pending_count, out);
      pending_count = 0;
      continue;
    }
    ++i;
  }
}

// Words after which the next word of a simple command is its command name.
constexpr auto kShellKeywords = std::to_array<std::string_view>(
    {"!", "do", "elif", "else", "if", "then", "time", "until", "while", "{", "}"});
static_assert(std::is_sorted(kShellKeywords.begin(), kShellKeywords.end()));

// Builtins whose operands name variables they set.
constexpr auto kAssigningBuiltins =
    std::to_array<std::string_view>({"declare", "export", "for", "getopts", "local", "mapfile",
                                     "read", "readarray", "readonly", "select", "typeset"});
static_assert(std::is_sorted(kAssigningBuiltins.begin(), kAssigningBuiltins.end()));

// The command name of the simple command that holds position `pos`, if it starts before `pos`.
std::string_view command_word(std::string_view s, std::size_t pos) {
  std::size_t j = pos;
  while (j > 0 && !is_command_break(s[j - 1])) --j;
  for (;;) {
    while (j < pos && is_space(s[j])) ++j;
    if (j >= pos) return {};
    std::size_t e = j;
    while (e < s.size() && !is_space(s[e]) && !is_command_break(s[e])) ++e;
    if (e > pos) return {};
    const std::string_view word = s.substr(j, e - j);
    if (!in_table(kShellKeywords, word)) return word;
    j = e;
  }
}

constexpr auto kWellKnownShellVars = std::to_array<std::string_view>({"BASH",
                                                                      "BASHOPTS",
                                                                      "BASHPID",
                                                                      "BASH_ALIASES",
                                                                      "BASH_ARGC",
                                                                      "BASH_ARGV",
                                                                      "BASH_ARGV0",
                                                                      "BASH_CMDS",
                                                                      "BASH_COMMAND",
                                                                      "BASH_ENV",
                                                                      "BASH_LINENO",
                                                                      "BASH_REMATCH",
                                                                      "BASH_SOURCE",
                                                                      "BASH_SUBSHELL",
                                                                      "BASH_VERSINFO",
                                                                      "BASH_VERSION",
                                                                      "CDPATH",
                                                                      "COLUMNS",
                                                                      "CONDA_PREFIX",
                                                                      "CUDA_HOME",
                                                                      "CUDA_VERSION",
                                                                      "DIRSTACK",
                                                                      "ENV",
                                                                      "EPOCHREALTIME",
                                                                      "EPOCHSECONDS",
                                                                      "EUID",
                                                                      "FUNCNAME",
                                                                      "GOPATH",
                                                                      "GROUPS",
                                                                      "HISTFILE",
                                                                      "HOME",
                                                                      "HOSTNAME",
                                                                      "HOSTTYPE",
                                                                      "IFS",
                                                                      "JAVA_HOME",
                                                                      "LANG",
                                                                      "LANGUAGE",
                                                                      "LD_LIBRARY_PATH",
                                                                      "LD_PRELOAD",
                                                                      "LINENO",
                                                                      "LINES",
                                                                      "LOGNAME",
                                                                      "MACHTYPE",
                                                                      "MAIL",
                                                                      "NVIDIA_DRIVER_CAPABILITIES",
                                                                      "NVIDIA_VISIBLE_DEVICES",
                                                                      "OLDPWD",
                                                                      "OPTARG",
                                                                      "OPTERR",
                                                                      "OPTIND",
                                                                      "OSTYPE",
                                                                      "PATH",
                                                                      "PIPESTATUS",
                                                                      "POSIXLY_CORRECT",
                                                                      "PPID",
                                                                      "PS1",
                                                                      "PS2",
                                                                      "PS3",
                                                                      "PS4",
                                                                      "PWD",
                                                                      "PYTHONPATH",
                                                                      "RANDOM",
                                                                      "REPLY",
                                                                      "SECONDS",
                                                                      "SHELL",
                                                                      "SHELLOPTS",
                                                                      "SHLVL",
                                                                      "SRANDOM",
                                                                      "TERM",
                                                                      "TMPDIR",
                                                                      "TZ",
                                                                      "UID",
                                                                      "USER",
                                                                      "VIRTUAL_ENV"});
static_assert(std::is_sorted(kWellKnownShellVars.begin(), kWellKnownShellVars.end()));

}  // namespace

namespace detail {

void scan_shell(std::string_view s, std::vector<Token>& out) { scan_shell_script(s, out); }

}  // namespace detail

std::optional<ShellScript> find_shell_script(const std::vector<std::string_view>& command,
                                             const std::vector<std::string_view>& args) {
  const std::size_t total = command.size() + args.size();
  const auto at = [&](std::size_t k) -> std::string_view {
    return k < command.size() ? command[k] : args[k - command.size()];
  };
  const auto basename = [](std::string_view p) {
    const std::size_t slash = p.rfind('/');
    return slash == npos ? p : p.substr(slash + 1);
  };
  const auto is_flag_cluster = [](std::string_view a) {
    return a.size() >= 2 && (a[0] == '-' || a[0] == '+') && a[1] != '-';
  };
  if (command.empty() && args.size() > 1 && args[0].starts_with('-') && args[0].find('c') != npos &&
      is_flag_cluster(args[0])) {
    return ShellScript{1, false};  // the image entrypoint is probably a shell
  }
  std::size_t k = 0;
  while (k < total) {  // wrappers that exec their arguments
    const std::string_view b = basename(at(k));
    const bool is_env = b == "env";
    if (!is_env && b != "tini" && b != "tini-static" && b != "dumb-init" && b != "catatonit" &&
        b != "busybox") {
      break;
    }
    ++k;
    while (k < total && (at(k).starts_with('-') || (is_env && at(k).find('=') != npos))) ++k;
  }
  constexpr auto kShells =
      std::to_array<std::string_view>({"ash", "bash", "dash", "ksh", "mksh", "sh", "zsh"});
  static_assert(std::is_sorted(kShells.begin(), kShells.end()));
  if (k >= total || !in_table(kShells, basename(at(k)))) return std::nullopt;
  bool c_flag = false;
  for (++k; k < total; ++k) {
    const std::string_view a = at(k);
    if (a == "--") {
      ++k;
      break;
    }
    if (a.starts_with("--")) continue;  // --login, --norc ...
    if (!is_flag_cluster(a)) break;
    if (a[0] == '-' && a.find('c') != npos) c_flag = true;
    if (a.find_first_of("oO") != npos) ++k;  // -o pipefail: the option name is the next word
  }
  if (!c_flag || k >= total) return std::nullopt;
  return ShellScript{k, true};
}

bool script_assigns(std::string_view script, std::string_view var) {
  if (var.empty()) return false;
  for (std::size_t pos = script.find(var); pos != npos; pos = script.find(var, pos + 1)) {
    const std::size_t end = pos + var.size();
    if ((pos > 0 && is_ident_char(script[pos - 1])) ||
        (end < script.size() && is_ident_char(script[end]))) {
      continue;  // part of a longer word
    }
    const char prev = pos > 0 ? script[pos - 1] : ' ';
    if (is_space(prev) || is_command_break(prev)) {
      std::size_t e = end;
      if (e < script.size() && script[e] == '[') {  // arr[i]=x
        e = script.find(']', e);
        if (e != npos) ++e;
      }
      if (e < script.size() && script[e] == '+') ++e;  // VAR+=x
      if (e < script.size() && script[e] == '=') return true;
    }
    if (in_table(kAssigningBuiltins, command_word(script, pos))) return true;
  }
  return false;
}

bool is_well_known_shell_var(std::string_view var) {
  return var.starts_with("LC_") || in_table(kWellKnownShellVars, var);
}
}  // namespace preflight::checks::placeholder
