#include "checks/placeholder_scan.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace preflight::checks::placeholder {
namespace {

constexpr std::size_t npos = std::string_view::npos;
constexpr std::string_view kNoValue = "<no value>";
// A `${...}` longer than this is not a placeholder; bounds the work on unclosed `${`.
constexpr std::size_t kMaxBracedVar = 256;

constexpr bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
// Kubernetes env var names: C identifiers, relaxed to also allow `.` and `-`.
constexpr bool is_env_name_char(char c) { return is_ident_char(c) || c == '.' || c == '-'; }

std::string_view ident_at(std::string_view s, std::size_t i) {
  if (i >= s.size() || !is_ident_start(s[i])) return {};
  std::size_t e = i + 1;
  while (e < s.size() && is_ident_char(s[e])) ++e;
  return s.substr(i, e - i);
}

template <std::size_t N>
bool in_table(const std::array<std::string_view, N>& table, std::string_view v) {
  return std::binary_search(table.begin(), table.end(), v);
}

// Words that start a Go/Helm action rather than name a variable.
constexpr auto kGoWords = std::to_array<std::string_view>(
    {"and",   "block",    "default",  "define", "else",   "end",   "eq",     "if",      "include",
     "index", "len",      "lookup",   "ne",     "or",     "print", "printf", "println", "quote",
     "range", "required", "template", "toJson", "toYaml", "tpl",   "with"});
static_assert(std::is_sorted(kGoWords.begin(), kGoWords.end()));

// Finds a two-character closer, remembering the last answer so that many unclosed openers
// do not make the scan quadratic.
struct Closer {
  char a;
  char b;
  std::size_t pos = npos;
  bool exhausted = false;
  std::size_t find(std::string_view s, std::size_t from) {
    if (pos != npos && pos >= from) return pos;
    if (exhausted) return npos;
    const char pair[2] = {a, b};
    pos = s.find(std::string_view(pair, 2), from);
    exhausted = pos == npos;
    return pos;
  }
};

// Sets var / go_template of a `{{ ... }}` token from its inner text.
void classify_expr(std::string_view inner, Token& t) {
  std::size_t i = 0;
  std::string_view word;
  for (;;) {
    while (i < inner.size() &&
           (is_space(inner[i]) || std::string_view("-+~{(&#^>!").find(inner[i]) != npos)) {
      ++i;
    }
    if (i + 1 < inner.size() && inner[i] == '/' && inner[i + 1] == '*') {  // {{/* comment */}}
      t.go_template = true;
      return;
    }
    if (i < inner.size() && inner[i] == '/') {  // Mustache section close
      ++i;
      continue;
    }
    word = ident_at(inner, i);
    if (word == "not" && i + 3 < inner.size() && (is_space(inner[i + 3]) || inner[i + 3] == '(')) {
      i += 3;
      continue;
    }
    break;
  }
  if (i >= inner.size()) return;
  if (inner[i] == '.' || inner[i] == '$') {
    t.go_template = true;
    return;
  }
  if (word.empty()) return;  // a literal: {{ "x" }}, {{ 1 }}
  const std::size_t after = i + word.size();
  const bool called_like_jinja =
      after < inner.size() && std::string_view("(.|[").find(inner[after]) != npos;
  if (in_table(kGoWords, word) && !called_like_jinja) {
    t.go_template = true;
    return;
  }
  t.var = word;
}

// At `{{`: returns the end of the token (or of the opener when unclosed) and appends the token
// when it names a variable or is Go syntax. At `<no value>`: appends it. Otherwise npos.
std::size_t match_always(std::string_view s, std::size_t i, Closer& close,
                         std::vector<Token>& out) {
  if (s[i] == '{' && i + 1 < s.size() && s[i + 1] == '{') {
    const std::size_t p = close.find(s, i + 2);
    if (p == npos) return i + 2;
    Token t{TokenKind::kTemplateExpr, s.substr(i, p + 2 - i), {}};
    classify_expr(s.substr(i + 2, p - i - 2), t);
    if (t.go_template || !t.var.empty()) out.push_back(t);
    return p + 2;
  }
  if (s[i] == '<' && s.substr(i).starts_with(kNoValue)) {
    out.push_back(Token{TokenKind::kNoValue, s.substr(i, kNoValue.size()), {}});
    return i + kNoValue.size();
  }
  return npos;
}

// At `${`: the end of the braced expansion, or npos when unclosed. Appends it when named.
// `last_close` is s.rfind('}'): nothing closes past it.
std::size_t match_braced(std::string_view s, std::size_t i, std::size_t last_close,
                         std::vector<Token>& out) {
  if (last_close == npos || last_close < i) return npos;
  std::size_t depth = 0;
  const std::size_t limit = std::min(last_close + 1, i + kMaxBracedVar);
  for (std::size_t j = i + 1; j < limit; ++j) {
    if (s[j] == '{') {
      ++depth;
    } else if (s[j] == '}' && --depth == 0) {
      const std::string_view inner = s.substr(i + 2, j - i - 2);
      Token t{TokenKind::kShellVar, s.substr(i, j + 1 - i), ident_at(inner, 0)};
      t.has_operator = t.var.size() < inner.size();
      if (!t.var.empty()) out.push_back(t);
      return j + 1;
    }
  }
  return npos;
}

// At `$(`: Kubernetes reads a name up to `)`. Only env-var-like names are tokens.
std::size_t match_kube_ref(std::string_view s, std::size_t i, std::vector<Token>& out) {
  std::size_t j = i + 2;
  while (j < s.size() && is_env_name_char(s[j])) ++j;
  if (j == i + 2 || j >= s.size() || s[j] != ')' || is_digit(s[i + 2])) return npos;
  out.push_back(Token{TokenKind::kKubeRef, s.substr(i, j + 1 - i), s.substr(i + 2, j - i - 2)});
  return j + 1;
}

// At `{` (not `{{`): `{name}`, `{a.b}`, `{name!r}`.
std::size_t match_brace(std::string_view s, std::size_t i, std::vector<Token>& out) {
  const std::string_view name = ident_at(s, i + 1);
  if (name.empty()) return npos;
  std::size_t j = i + 1 + name.size();
  while (j < s.size() && s[j] == '.') {
    const std::string_view attr = ident_at(s, j + 1);
    if (attr.empty()) return npos;
    j += 1 + attr.size();
  }
  if (j + 1 < s.size() && s[j] == '!' && std::string_view("rsa").find(s[j + 1]) != npos) j += 2;
  if (j >= s.size() || s[j] != '}') return npos;
  out.push_back(Token{TokenKind::kBrace, s.substr(i, j + 1 - i), name});
  return j + 1;
}

std::string_view trim_jinja(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '-' || s.front() == '+')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (is_space(s.back()) || s.back() == '-' || s.back() == '+')) {
    s.remove_suffix(1);
  }
  return s;
}

// After `{% raw %}`: the end of the matching `{% endraw %}`.
std::size_t skip_raw_block(std::string_view s, std::size_t from) {
  const std::size_t end_raw = s.find("endraw", from);
  if (end_raw == npos) return s.size();
  const std::size_t close = s.find("%}", end_raw);
  return close == npos ? s.size() : close + 2;
}

void scan_plain(std::string_view s, Mode mode, bool single_braces, std::vector<Token>& out) {
  const bool statements = mode == Mode::kEnvValue;
  const bool jinja_blocks = mode == Mode::kPromptTemplate;
  const bool kube_refs = mode == Mode::kEnvValue || mode == Mode::kArgument;
  const bool shell_vars = mode == Mode::kEnvValue || mode == Mode::kPromptTemplate;
  Closer expr_close{'}', '}'};
  Closer stmt_close{'%', '}'};
  const std::size_t last_close = s.rfind('}');
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (std::size_t end = match_always(s, i, expr_close, out); end != npos) {
      i = end;
      continue;
    }
    if (c == '{' && next == '%' && (statements || jinja_blocks)) {
      const std::size_t p = stmt_close.find(s, i + 2);
      if (p == npos) {
        i += 2;
        continue;
      }
      if (statements) out.push_back(Token{TokenKind::kTemplateStmt, s.substr(i, p + 2 - i), {}});
      const bool raw = jinja_blocks && trim_jinja(s.substr(i + 2, p - i - 2)) == "raw";
      i = raw ? skip_raw_block(s, p + 2) : p + 2;
      continue;
    }
    if (c == '{' && next == '#' && jinja_blocks) {
      const std::size_t p = s.find("#}", i + 2);
      i = p == npos ? s.size() : p + 2;
      continue;
    }
    std::size_t end = npos;
    if (c == '{' && single_braces) end = match_brace(s, i, out);
    if (c == '$' && next == '$' && kube_refs) end = i + 2;  // Kubernetes escape: literal `$`
    if (c == '$' && next == '(' && kube_refs) end = match_kube_ref(s, i, out);
    if (c == '$' && next == '{' && shell_vars) end = match_braced(s, i, last_close, out);
    i = end == npos ? i + 1 : end;
  }
}

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
    std::size_t end = match_always(body, i, expr_close, out);
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

void scan_shell(std::string_view s, std::vector<Token>& out) {
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
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (std::size_t end = match_always(s, i, expr_close, out); end != npos) {
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

constexpr auto kJinjaBuiltins = std::to_array<std::string_view>(
    {"False", "None", "True", "caller", "cycler", "dict", "false", "joiner", "kwargs", "lipsum",
     "loop", "namespace", "none", "range", "self", "super", "true", "varargs"});
static_assert(std::is_sorted(kJinjaBuiltins.begin(), kJinjaBuiltins.end()));

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

// Does one Jinja statement (the text between `{%` and `%}`) define `var`?
bool statement_defines(std::string_view stmt, std::string_view var) {
  std::size_t i = 0;
  while (i < stmt.size() && (is_space(stmt[i]) || stmt[i] == '-' || stmt[i] == '+')) ++i;
  const std::string_view keyword = ident_at(stmt, i);
  i += keyword.size();
  const bool set_or_for = keyword == "set" || keyword == "for";
  const bool any_name =
      keyword == "macro" || keyword == "call" || keyword == "import" || keyword == "from";
  if (!set_or_for && !any_name && keyword != "with") return false;
  while (i < stmt.size()) {
    if (set_or_for && stmt[i] == '=') return false;  // past the targets of `set`
    const std::string_view word = ident_at(stmt, i);
    if (word.empty()) {
      ++i;
      continue;
    }
    if (keyword == "for" && word == "in") return false;  // past the targets of `for`
    i += word.size();
    if (i < stmt.size() && stmt[i] == '.') {  // {% set ns.attr = %} defines neither name
      ++i;
      i += ident_at(stmt, i).size();
      continue;
    }
    if (word != var) continue;
    if (set_or_for || any_name) return true;
    std::size_t j = i;  // with: `name = value`
    while (j < stmt.size() && is_space(stmt[j])) ++j;
    if (j + 1 < stmt.size() && stmt[j] == '=' && stmt[j + 1] != '=') return true;
  }
  return false;
}

// The longest prefix of `s` of at most `max` bytes that does not split a UTF-8 sequence.
std::string_view clip(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80) --max;
  return s.substr(0, max);
}

void append_printable(std::string& out, std::string_view s) {
  for (const char c : s) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
}

constexpr std::size_t kMaxQuoted = 40;

}  // namespace

bool may_contain_placeholder(std::string_view text) {
  for (const char c : text) {
    if (c == '{' || c == '$' || c == '<') return true;
  }
  return false;
}

void scan(std::string_view text, Mode mode, bool single_braces, std::vector<Token>& out) {
  if (!may_contain_placeholder(text)) return;
  if (mode == Mode::kShellScript) {
    scan_shell(text, out);
    return;
  }
  const std::size_t first = out.size();
  const bool braces =
      single_braces && (mode == Mode::kEnvValue || mode == Mode::kPromptTemplate);
  scan_plain(text, mode, braces, out);
  const auto is_brace = [](const Token& t) { return t.kind == TokenKind::kBrace; };
  if (braces && std::any_of(out.begin() + first, out.end(), is_brace) && is_json_container(text)) {
    out.erase(std::remove_if(out.begin() + first, out.end(), is_brace), out.end());
  }
}

std::vector<Token> scan(std::string_view text, Mode mode, bool single_braces) {
  std::vector<Token> out;
  scan(text, mode, single_braces, out);
  return out;
}

bool is_json_container(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == npos || (text[first] != '{' && text[first] != '[')) return false;
  return nlohmann::json::accept(text);
}

std::optional<ShellScript> find_shell_script(const std::vector<std::string>& command,
                                             const std::vector<std::string>& args) {
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

bool is_service_link_var(std::string_view var) {
  for (const char c : var) {
    if (!((c >= 'A' && c <= 'Z') || is_digit(c) || c == '_')) return false;
  }
  const auto has_suffix = [&](std::string_view suffix) {
    return var.size() > suffix.size() && var.ends_with(suffix);
  };
  if (has_suffix("_SERVICE_HOST") || has_suffix("_PORT")) return true;
  const std::size_t port = var.find("_PORT_");
  return port != npos && port > 0 && port + 6 < var.size();
}

bool template_defines(std::string_view tmpl, std::string_view var) {
  if (var.empty()) return false;
  for (std::size_t pos = tmpl.find("{%"); pos != npos; pos = tmpl.find("{%", pos)) {
    const std::size_t end = tmpl.find("%}", pos + 2);
    if (end == npos) return false;
    if (statement_defines(tmpl.substr(pos + 2, end - pos - 2), var)) return true;
    pos = end + 2;
  }
  return false;
}

bool is_jinja_builtin(std::string_view var) { return in_table(kJinjaBuiltins, var); }

std::string display_token(const Token& token) {
  std::string_view s = token.text;
  std::string_view closer;
  if (token.kind == TokenKind::kShellVar && token.has_operator) {
    std::size_t k = 2 + token.var.size();  // keep `${NAME` and up to two operator characters
    for (int n = 0; n < 2 && k + 1 < s.size() && std::string_view(":-=?+#%/").find(s[k]) != npos;
         ++n) {
      ++k;
    }
    s = s.substr(0, k);
    closer = "}";
  } else if (token.kind == TokenKind::kTemplateExpr || token.kind == TokenKind::kTemplateStmt) {
    const std::size_t quote = s.find_first_of("'\"");
    if (quote != npos) {
      s = s.substr(0, quote);
      closer = token.kind == TokenKind::kTemplateExpr ? "}}" : "%}";
    }
  }
  std::string out;
  if (closer.empty()) return display_name(s);
  append_printable(out, clip(s, kMaxQuoted - 3 - closer.size()));
  out.append("...").append(closer);
  return out;
}

std::string display_name(std::string_view name) {
  std::string out;
  if (name.size() <= kMaxQuoted) {
    append_printable(out, name);
  } else {
    append_printable(out, clip(name, kMaxQuoted - 3));
    out.append("...");
  }
  return out;
}

}  // namespace preflight::checks::placeholder
