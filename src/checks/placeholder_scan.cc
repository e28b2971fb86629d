#include "checks/placeholder_scan.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "checks/placeholder_lexer.h"

namespace preflight::checks::placeholder {

using namespace detail;  // NOLINT: the lexing helpers shared with shell_scan.cc

namespace {

constexpr std::string_view kNoValue = "<no value>";
// A `${...}` longer than this is not a placeholder; bounds the work on unclosed `${`.
constexpr std::size_t kMaxBracedVar = 256;
// Kubernetes env var names: C identifiers, relaxed to also allow `.` and `-`.
constexpr bool is_env_name_char(char c) { return is_ident_char(c) || c == '.' || c == '-'; }

// Words that start a Go/Helm action rather than name a variable.
constexpr auto kGoWords = std::to_array<std::string_view>(
    {"and",   "block",    "default",  "define", "else",   "end",   "eq",     "if",      "include",
     "index", "len",      "lookup",   "ne",     "or",     "print", "printf", "println", "quote",
     "range", "required", "template", "toJson", "toYaml", "tpl",   "with"});
static_assert(std::is_sorted(kGoWords.begin(), kGoWords.end()));

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
    // Every token below starts with one of these: the other bytes are passed over at once.
    if (c != '{' && c != '$' && c != '<') {
      ++i;
      continue;
    }
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

constexpr auto kJinjaBuiltins = std::to_array<std::string_view>(
    {"False", "None", "True", "caller", "cycler", "dict", "false", "joiner", "kwargs", "lipsum",
     "loop", "namespace", "none", "range", "self", "super", "true", "varargs"});
static_assert(std::is_sorted(kJinjaBuiltins.begin(), kJinjaBuiltins.end()));

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

namespace detail {

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

}  // namespace detail

bool may_contain_placeholder(std::string_view text) {
  // One table load per byte instead of three comparisons: every command, arg and env value of
  // every review passes through here, and almost none holds any of the three.
  static constexpr auto kOpeners = [] {
    std::array<bool, 256> t{};
    t[static_cast<unsigned char>('{')] = t[static_cast<unsigned char>('$')] =
        t[static_cast<unsigned char>('<')] = true;
    return t;
  }();
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return kOpeners[static_cast<unsigned char>(c)]; });
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
