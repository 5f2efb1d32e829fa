#include "core/py_literal.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "core/limits.h"
#include "core/utf8.h"

namespace rkyolo::core {

namespace {

class LiteralParser {
 public:
  explicit LiteralParser(std::string_view t) : t_(t) {}

  Status parse(PyValue* out) {
    RKYOLO_RETURN_IF_ERROR(value(out, 0));
    skip_ws();
    if (p_ != t_.size()) return error(MessageId::kLiteralTrailingText);
    return Status();
  }

 private:
  Status error(MessageId what, std::vector<MessageArg> args = {}) const {
    return invalid_argument(MessageId::kLiteralAt, {{"what", Message(what, std::move(args))}, {"offset", p_}});
  }
  void skip_ws() {
    while (p_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[p_]))) ++p_;
  }
  bool eat(char c) {
    skip_ws();
    if (p_ < t_.size() && t_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool keyword(std::string_view k) {
    if (t_.substr(p_, k.size()) == k) {
      const std::size_t end = p_ + k.size();
      if (end < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[end])) || t_[end] == '_')) return false;
      p_ = end;
      return true;
    }
    return false;
  }

  Status value(PyValue* v, int depth) {
    if (depth > 32) return error(MessageId::kLiteralTooDeep);
    skip_ws();
    if (p_ >= t_.size()) return error(MessageId::kLiteralUnexpectedEnd);
    const char c = t_[p_];
    if (c == '{') return dict(v, depth);
    if (c == '[') return sequence(v, ']', depth);
    if (c == '(') return sequence(v, ')', depth);
    if (c == '\'' || c == '"') {
      v->kind = PyValue::Kind::kString;
      return string(&v->s);
    }
    if (keyword("True") || keyword("true")) {
      v->kind = PyValue::Kind::kBool;
      v->b = true;
      return Status();
    }
    if (keyword("False") || keyword("false")) {
      v->kind = PyValue::Kind::kBool;
      v->b = false;
      return Status();
    }
    if (keyword("None") || keyword("null")) {
      v->kind = PyValue::Kind::kNone;
      return Status();
    }
    return number(v);
  }

  Status dict(PyValue* v, int depth) {
    v->kind = PyValue::Kind::kDict;
    ++p_;
    if (eat('}')) return Status();
    while (true) {
      PyValue key, val;
      RKYOLO_RETURN_IF_ERROR(value(&key, depth + 1));
      if (!eat(':')) return error(MessageId::kLiteralExpectedColon);
      RKYOLO_RETURN_IF_ERROR(value(&val, depth + 1));
      v->entries.push_back(PyEntry{std::move(key), std::move(val)});
      if (eat(',')) {
        if (eat('}')) return Status();
        continue;
      }
      if (eat('}')) return Status();
      return error(MessageId::kLiteralExpectedDictSeparator);
    }
  }

  Status sequence(PyValue* v, char close, int depth) {
    v->kind = PyValue::Kind::kList;
    ++p_;
    if (eat(close)) return Status();
    while (true) {
      PyValue item;
      RKYOLO_RETURN_IF_ERROR(value(&item, depth + 1));
      v->items.push_back(std::move(item));
      if (eat(',')) {
        if (eat(close)) return Status();
        continue;
      }
      if (eat(close)) return Status();
      return error(MessageId::kLiteralExpectedListSeparator, {{"close", std::string(1, close)}});
    }
  }

  Status hex(int digits, unsigned* cp) {
    if (p_ + digits > t_.size()) return error(MessageId::kLiteralTruncatedEscape);
    *cp = 0;
    for (int i = 0; i < digits; ++i) {
      const char h = t_[p_++];
      *cp <<= 4;
      if (h >= '0' && h <= '9')
        *cp |= h - '0';
      else if (h >= 'a' && h <= 'f')
        *cp |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        *cp |= h - 'A' + 10;
      else
        return error(MessageId::kLiteralBadHexDigit);
    }
    return Status();
  }

  Status string(std::string* s) {
    const char quote = t_[p_++];
    while (p_ < t_.size()) {
      const char c = t_[p_++];
      if (c == quote) return Status();
      if (c != '\\') {
        s->push_back(c);
        continue;
      }
      if (p_ >= t_.size()) break;
      const char e = t_[p_++];
      unsigned cp = 0;
      switch (e) {
        case 'n': s->push_back('\n'); break;
        case 't': s->push_back('\t'); break;
        case 'r': s->push_back('\r'); break;
        case '0': s->push_back('\0'); break;
        case 'x':
          RKYOLO_RETURN_IF_ERROR(hex(2, &cp));
          core::append_utf8(s, cp);
          break;
        case 'u':
          RKYOLO_RETURN_IF_ERROR(hex(4, &cp));
          core::append_utf8(s, cp);
          break;
        case 'U':
          RKYOLO_RETURN_IF_ERROR(hex(8, &cp));
          core::append_utf8(s, cp);
          break;
        default: s->push_back(e); break;  // \\ \' \" and anything else literally
      }
    }
    return error(MessageId::kUnterminatedString);
  }

  Status number(PyValue* v) {
    const std::size_t start = p_;
    if (p_ < t_.size() && (t_[p_] == '-' || t_[p_] == '+')) ++p_;
    bool is_float = false;
    while (p_ < t_.size()) {
      const char c = t_[p_];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        ++p_;
      } else if (c == '.' || c == 'e' || c == 'E' ||
                 ((c == '-' || c == '+') && (t_[p_ - 1] == 'e' || t_[p_ - 1] == 'E'))) {
        is_float = true;
        ++p_;
      } else {
        break;
      }
    }
    if (p_ == start) return error(MessageId::kLiteralUnexpectedChar, {{"char", std::string(1, t_[p_])}});
    const std::string num(t_.substr(start, p_ - start));
    char* end = nullptr;
    if (is_float) {
      v->kind = PyValue::Kind::kFloat;
      v->f = std::strtod(num.c_str(), &end);
    } else {
      v->kind = PyValue::Kind::kInt;
      errno = 0;
      v->i = std::strtoll(num.c_str(), &end, 10);
      if (errno == ERANGE) return error(MessageId::kLiteralIntegerRange, {{"number", num}});
    }
    if (end == nullptr || *end != '\0') return error(MessageId::kLiteralMalformedNumber, {{"number", num}});
    return Status();
  }

  std::string_view t_;
  std::size_t p_ = 0;
};

}  // namespace

Status parse_py_literal(std::string_view text, PyValue* out) {
  *out = PyValue{};
  return LiteralParser(text).parse(out);
}

}  // namespace rkyolo::core
