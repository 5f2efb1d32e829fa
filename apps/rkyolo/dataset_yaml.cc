#include "rkyolo/dataset_yaml.h"

#include <cstdint>

#include "core/utf8.h"
#include "rkyolo/i18n.h"

namespace rkyolo::cli {

const YamlNode* YamlNode::find(std::string_view key) const {
  const YamlNode* found = nullptr;
  for (const auto& [k, v] : entries)
    if (k == key) found = &v;
  return found;
}

namespace {

struct Line {
  int number = 0;    // 1-based
  int indent = 0;    // leading spaces
  std::string text;  // after the indentation, comment and trailing spaces removed
  std::string raw;   // the whole line as written
  bool blank = true;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

// A quote opens a quoted scalar only where a scalar starts.
bool scalar_starts_at(std::string_view s, std::size_t i) {
  std::size_t j = i;
  while (j > 0 && is_space(s[j - 1])) --j;
  if (j == 0) return true;
  const char p = s[j - 1];
  return p == ':' || p == '-' || p == '[' || p == '{' || p == ',' || p == '?';
}

// Removes a "# comment" (at the start or after a space, outside quotes).
std::string strip_comment(std::string_view s) {
  bool in_single = false, in_double = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_double) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_double = false;
      continue;
    }
    if (in_single) {
      if (c == '\'') {
        if (i + 1 < s.size() && s[i + 1] == '\'')
          ++i;
        else
          in_single = false;
      }
      continue;
    }
    if ((c == '"' || c == '\'') && scalar_starts_at(s, i)) {
      (c == '"' ? in_double : in_single) = true;
      continue;
    }
    if (c == '#' && (i == 0 || is_space(s[i - 1]))) return trim(s.substr(0, i));
  }
  return trim(s);
}

// The value of hex digit `h`, or -1.
int hex_value(char h) {
  return h >= '0' && h <= '9'   ? h - '0'
         : h >= 'a' && h <= 'f' ? h - 'a' + 10
         : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                : -1;
}

// The escape after a backslash at s[*k] (the letter); *k ends on its last
// character. False when it is not one YAML defines: an unknown letter, \x
// \u \U without all their hex digits, a code point that is no character.
bool read_escape(std::string_view s, std::size_t* k, std::string* out) {
  const char e = s[*k];
  switch (e) {
    case '0': *out += '\0'; return true;
    case 'a': *out += '\a'; return true;
    case 'b': *out += '\b'; return true;
    case 't':
    case '\t': *out += '\t'; return true;
    case 'n': *out += '\n'; return true;
    case 'v': *out += '\v'; return true;
    case 'f': *out += '\f'; return true;
    case 'r': *out += '\r'; return true;
    case 'e': *out += '\x1B'; return true;
    case ' ':
    case '"':
    case '/':
    case '\\': *out += e; return true;
    case 'N': core::append_utf8(out, 0x85); return true;
    case '_': core::append_utf8(out, 0xA0); return true;
    case 'L': core::append_utf8(out, 0x2028); return true;
    case 'P': core::append_utf8(out, 0x2029); return true;
    case 'x':
    case 'u':
    case 'U': break;
    default: return false;
  }
  const std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
  std::uint32_t cp = 0;
  for (std::size_t d = 0; d < digits; ++d) {
    if (*k + 1 >= s.size() || hex_value(s[*k + 1]) < 0) return false;
    cp = cp * 16 + static_cast<std::uint32_t>(hex_value(s[++*k]));
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  core::append_utf8(out, cp);
  return true;
}

enum class Quoted { kOk, kUnclosed, kBadEscape };

// Reads the quoted scalar starting at s[*i] (a quote); *i ends after the
// closing quote. A bad escape is reported once the quote is closed, with the
// first one in *bad_escape (as written).
Quoted read_quoted(std::string_view s, std::size_t* i, std::string* out, std::string* bad_escape = nullptr) {
  const char q = s[*i];
  out->clear();
  bool escapes_ok = true;
  for (std::size_t k = *i + 1; k < s.size(); ++k) {
    const char c = s[k];
    if (q == '\'') {
      if (c == '\'') {
        if (k + 1 < s.size() && s[k + 1] == '\'') {
          *out += '\'';
          ++k;
          continue;
        }
        *i = k + 1;
        return Quoted::kOk;
      }
      *out += c;
      continue;
    }
    if (c == '"') {
      *i = k + 1;
      return escapes_ok ? Quoted::kOk : Quoted::kBadEscape;
    }
    if (c != '\\' || k + 1 >= s.size()) {
      *out += c;
      continue;
    }
    const std::size_t start = k++;
    if (!read_escape(s, &k, out) && escapes_ok) {
      escapes_ok = false;
      if (bad_escape != nullptr) *bad_escape = std::string(s.substr(start, k + 1 - start));
    }
  }
  return Quoted::kUnclosed;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : file_(file) {
    int number = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      Line l;
      l.number = ++number;
      l.raw = std::string(text.substr(start, end - start));
      if (!l.raw.empty() && l.raw.back() == '\r') l.raw.pop_back();
      std::size_t ind = 0;
      while (ind < l.raw.size() && (l.raw[ind] == ' ' || l.raw[ind] == '\t')) ++ind;
      l.text = strip_comment(std::string_view(l.raw).substr(ind));
      l.blank = l.text.empty();
      if (!l.blank && l.raw.find('\t') < ind) tab_line_ = tab_line_ ? tab_line_ : l.number;
      l.indent = static_cast<int>(ind);
      if (number == 1 && l.text.rfind("\xEF\xBB\xBF", 0) == 0) l.text.erase(0, 3);  // UTF-8 BOM
      lines_.push_back(std::move(l));
      if (end == text.size()) break;
      start = end + 1;
    }
  }

  Status parse(YamlNode* root) {
    if (tab_line_) return error(tab_line_, tr(Msg::kYamlTab));
    skip_blank();
    if (pos_ < lines_.size() && lines_[pos_].indent == 0 && lines_[pos_].text.rfind("---", 0) == 0 &&
        trim(std::string_view(lines_[pos_].text).substr(3)).empty())
      ++pos_;
    skip_blank();
    if (pos_ >= lines_.size() || lines_[pos_].text == "...") return error(1, tr(Msg::kYamlNotMapping));
    const Line& first = lines_[pos_];
    if (is_list_item(first.text) || first.text[0] == '[' || first.text[0] == '{' ||
        find_key_colon(first.text) == std::string::npos)
      return error(first.number, tr(Msg::kYamlNotMapping));
    RKYOLO_RETURN_IF_ERROR(parse_map(first.indent, root));
    skip_blank();
    if (pos_ < lines_.size() && lines_[pos_].text != "...") return error(lines_[pos_].number, tr(Msg::kYamlIndent));
    return Status();
  }

 private:
  Status error(int line, const std::string& what) const {
    return invalid_argument(trf(Msg::kYamlError, file_, std::to_string(line), what));
  }

  Status quoted_error(Quoted q, int line) const {
    if (q == Quoted::kUnclosed) return error(line, tr(Msg::kYamlUnclosedQuote));
    if (q == Quoted::kBadEscape) return error(line, trf(Msg::kYamlBadEscape, bad_escape_));
    return Status();
  }

  void skip_blank() {
    while (pos_ < lines_.size() && lines_[pos_].blank) ++pos_;
  }

  static bool is_list_item(const std::string& t) { return t == "-" || t.rfind("- ", 0) == 0; }

  // Position of the ':' ending a block mapping key, or npos.
  static std::size_t find_key_colon(std::string_view t) {
    if (t.empty() || t[0] == '[' || t[0] == '{') return std::string::npos;
    std::size_t i = 0;
    if (t[0] == '"' || t[0] == '\'') {
      std::string ignored;
      if (read_quoted(t, &i, &ignored) == Quoted::kUnclosed) return std::string::npos;
      while (i < t.size() && is_space(t[i])) ++i;
      return i < t.size() && t[i] == ':' && (i + 1 == t.size() || is_space(t[i + 1])) ? i : std::string::npos;
    }
    for (; i < t.size(); ++i)
      if (t[i] == ':' && (i + 1 == t.size() || is_space(t[i + 1]))) return i;
    return std::string::npos;
  }

  // Nesting deeper than this is no dataset file; refusing it keeps the
  // recursion off the end of the stack.
  static constexpr int kMaxDepth = 64;

  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };

  Status parse_map(int indent, YamlNode* out) {
    const DepthGuard guard(&depth_);
    if (depth_ > kMaxDepth) return error(lines_[pos_].number, tr(Msg::kYamlTooDeep));
    out->kind = YamlNode::Kind::kMap;
    out->line = lines_[pos_].number;
    for (;;) {
      skip_blank();
      if (pos_ >= lines_.size()) break;
      const Line& l = lines_[pos_];
      if (l.indent < indent || l.text == "...") break;
      if (l.indent > indent) return error(l.number, tr(Msg::kYamlIndent));
      const std::size_t colon = find_key_colon(l.text);
      if (colon == std::string::npos || is_list_item(l.text)) return error(l.number, tr(Msg::kYamlExpectedKey));
      std::string key;
      if (l.text[0] == '"' || l.text[0] == '\'') {
        std::size_t i = 0;
        RKYOLO_RETURN_IF_ERROR(quoted_error(read_quoted(l.text, &i, &key, &bad_escape_), l.number));
      } else {
        key = trim(std::string_view(l.text).substr(0, colon));
      }
      const std::string rest = trim(std::string_view(l.text).substr(colon + 1));
      const int number = l.number;
      ++pos_;
      YamlNode value;
      RKYOLO_RETURN_IF_ERROR(parse_value(rest, number, indent, true, &value));
      out->entries.push_back({std::move(key), std::move(value)});
    }
    return Status();
  }

  Status parse_list(int indent, YamlNode* out) {
    const DepthGuard guard(&depth_);
    if (depth_ > kMaxDepth) return error(lines_[pos_].number, tr(Msg::kYamlTooDeep));
    out->kind = YamlNode::Kind::kList;
    out->line = lines_[pos_].number;
    for (;;) {
      skip_blank();
      if (pos_ >= lines_.size()) break;
      Line& l = lines_[pos_];
      if (l.indent < indent || l.text == "...") break;
      if (l.indent > indent) return error(l.number, tr(Msg::kYamlIndent));
      if (!is_list_item(l.text)) break;  // the next key of an enclosing mapping
      std::size_t offset = 1;
      while (offset < l.text.size() && l.text[offset] == ' ') ++offset;
      const std::string rest = l.text.substr(offset);
      YamlNode item;
      if (!rest.empty() && (is_list_item(rest) || find_key_colon(rest) != std::string::npos)) {
        // "- key: value" or "- - x": the rest of the line starts a nested block.
        l.indent += static_cast<int>(offset);
        l.text = rest;
        RKYOLO_RETURN_IF_ERROR(is_list_item(rest) ? parse_list(l.indent, &item) : parse_map(l.indent, &item));
      } else {
        const int number = l.number;
        ++pos_;
        RKYOLO_RETURN_IF_ERROR(parse_value(rest, number, indent, false, &item));
      }
      out->items.push_back(std::move(item));
    }
    return Status();
  }

  // The value after "key:" or "- " on line `number`; nested blocks follow.
  Status parse_value(const std::string& rest, int number, int indent, bool in_map, YamlNode* out) {
    out->line = number;
    if (rest.empty()) {
      skip_blank();
      if (pos_ < lines_.size()) {
        const Line& next = lines_[pos_];
        if (next.indent > indent)
          return is_list_item(next.text) ? parse_list(next.indent, out) : parse_map(next.indent, out);
        if (in_map && next.indent == indent && is_list_item(next.text)) return parse_list(indent, out);
      }
      out->kind = YamlNode::Kind::kNull;
      return Status();
    }
    if (rest[0] == '|' || rest[0] == '>') return parse_block_scalar(rest[0] == '>', indent, out);
    if (rest[0] == '[' || rest[0] == '{') return parse_flow_text(rest, number, out);
    if (rest[0] == '"' || rest[0] == '\'') {
      std::size_t i = 0;
      out->kind = YamlNode::Kind::kScalar;
      out->quoted = true;
      RKYOLO_RETURN_IF_ERROR(quoted_error(read_quoted(rest, &i, &out->scalar, &bad_escape_), number));
      const std::string tail = trim(std::string_view(rest).substr(i));
      if (!tail.empty()) return error(number, trf(Msg::kYamlTrailing, tail));
      return Status();
    }
    out->kind = YamlNode::Kind::kScalar;
    out->scalar = rest;
    return Status();
  }

  Status parse_block_scalar(bool folded, int indent, YamlNode* out) {
    out->kind = YamlNode::Kind::kScalar;
    out->quoted = true;  // never null
    int content_indent = -1;
    std::string text;
    while (pos_ < lines_.size()) {
      const Line& l = lines_[pos_];
      const bool empty = trim(l.raw).empty();
      if (!empty && l.indent <= indent) break;
      if (!empty && content_indent < 0) content_indent = l.indent;
      const std::size_t cut = content_indent < 0
                                  ? l.raw.size()
                                  : std::min<std::size_t>(l.raw.size(), static_cast<std::size_t>(content_indent));
      if (!text.empty()) text += folded ? ' ' : '\n';
      text += l.raw.substr(cut);
      ++pos_;
    }
    out->scalar = text;
    return Status();
  }

  // A flow collection, continued over the next lines until it is closed.
  Status parse_flow_text(const std::string& first, int number, YamlNode* out) {
    std::string text = first;
    for (;;) {
      const int balance = bracket_balance(text);
      if (balance <= 0) break;
      if (pos_ >= lines_.size()) return error(number, trf(Msg::kYamlUnclosedFlow, std::string(1, first[0])));
      text += '\n';
      text += lines_[pos_].text;
      ++pos_;
    }
    flow_text_ = text;
    flow_line_ = number;
    std::size_t i = 0;
    RKYOLO_RETURN_IF_ERROR(parse_flow(&i, out));
    skip_flow_space(&i);
    if (i < flow_text_.size())
      return error(flow_line_at(i), trf(Msg::kYamlTrailing, trim(std::string_view(flow_text_).substr(i))));
    return Status();
  }

  static int bracket_balance(std::string_view s) {
    int depth = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if ((c == '"' || c == '\'') && scalar_starts_at(s, i)) {
        std::string ignored;
        std::size_t k = i;
        if (read_quoted(s, &k, &ignored) == Quoted::kUnclosed) return depth + 1;  // an open quote: keep reading lines
        i = k - 1;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if (c == ']' || c == '}') {
        --depth;
      }
    }
    return depth;
  }

  int flow_line_at(std::size_t i) const {
    int line = flow_line_;
    for (std::size_t k = 0; k < i && k < flow_text_.size(); ++k) line += flow_text_[k] == '\n';
    return line;
  }

  void skip_flow_space(std::size_t* i) const {
    while (*i < flow_text_.size() && (is_space(flow_text_[*i]) || flow_text_[*i] == '\n')) ++*i;
  }

  Status parse_flow(std::size_t* i, YamlNode* out) {
    const DepthGuard guard(&depth_);
    if (depth_ > kMaxDepth) return error(flow_line_at(*i), tr(Msg::kYamlTooDeep));
    const std::string& s = flow_text_;
    skip_flow_space(i);
    out->line = flow_line_at(*i);
    if (*i >= s.size()) return error(flow_line_at(*i), trf(Msg::kYamlUnclosedFlow, "["));
    const char c = s[*i];
    if (c == '[' || c == '{') {
      const bool is_map = c == '{';
      const char close = is_map ? '}' : ']';
      const int open_line = flow_line_at(*i);
      out->kind = is_map ? YamlNode::Kind::kMap : YamlNode::Kind::kList;
      ++*i;
      for (;;) {
        skip_flow_space(i);
        if (*i >= s.size()) return error(open_line, trf(Msg::kYamlUnclosedFlow, std::string(1, c)));
        if (s[*i] == close) {
          ++*i;
          return Status();
        }
        if (is_map) {
          std::string key;
          if (s[*i] == '"' || s[*i] == '\'') {
            RKYOLO_RETURN_IF_ERROR(quoted_error(read_quoted(s, i, &key, &bad_escape_), flow_line_at(*i)));
          } else {
            const std::size_t start = *i;
            while (*i < s.size() && s[*i] != ':' && s[*i] != ',' && s[*i] != close && s[*i] != '\n') ++*i;
            key = trim(std::string_view(s).substr(start, *i - start));
          }
          skip_flow_space(i);
          YamlNode value;
          value.line = flow_line_at(*i);
          if (*i < s.size() && s[*i] == ':') {
            ++*i;
            skip_flow_space(i);
            if (*i < s.size() && s[*i] != ',' && s[*i] != close) RKYOLO_RETURN_IF_ERROR(parse_flow(i, &value));
          } else if (*i < s.size() && s[*i] != ',' && s[*i] != close) {
            return error(flow_line_at(*i), trf(Msg::kYamlFlowSyntax, std::string(1, s[*i])));
          }
          out->entries.push_back({std::move(key), std::move(value)});
        } else {
          YamlNode item;
          RKYOLO_RETURN_IF_ERROR(parse_flow(i, &item));
          out->items.push_back(std::move(item));
        }
        skip_flow_space(i);
        if (*i < s.size() && s[*i] == ',') {
          ++*i;
        } else if (*i < s.size() && s[*i] != close) {
          return error(flow_line_at(*i), trf(Msg::kYamlFlowSyntax, std::string(1, s[*i])));
        }
      }
    }
    if (c == '"' || c == '\'') {
      out->kind = YamlNode::Kind::kScalar;
      out->quoted = true;
      RKYOLO_RETURN_IF_ERROR(quoted_error(read_quoted(s, i, &out->scalar, &bad_escape_), out->line));
      return Status();
    }
    if (c == ']' || c == '}' || c == ',') return error(out->line, trf(Msg::kYamlFlowSyntax, std::string(1, c)));
    const std::size_t start = *i;
    while (*i < s.size() && s[*i] != ',' && s[*i] != ']' && s[*i] != '}' && s[*i] != '\n') ++*i;
    out->kind = YamlNode::Kind::kScalar;
    out->scalar = trim(std::string_view(s).substr(start, *i - start));
    if (out->scalar.empty()) out->kind = YamlNode::Kind::kNull;
    return Status();
  }

  std::string file_;
  std::vector<Line> lines_;
  std::size_t pos_ = 0;
  int tab_line_ = 0;
  int depth_ = 0;
  std::string flow_text_;
  int flow_line_ = 0;
  std::string bad_escape_;  // the last malformed escape read
};

}  // namespace

Status parse_yaml(std::string_view text, const std::string& file_name, YamlNode* root) {
  *root = YamlNode{};
  Parser parser(text, file_name);
  return parser.parse(root);
}

}  // namespace rkyolo::cli
