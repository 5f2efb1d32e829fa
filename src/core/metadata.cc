#include "core/metadata.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "core/limits.h"

namespace rkyolo::core {

namespace {

class LiteralParser {
 public:
  explicit LiteralParser(std::string_view t) : t_(t) {}

  Status parse(PyValue* out) {
    RKYOLO_RETURN_IF_ERROR(value(out, 0));
    skip_ws();
    if (p_ != t_.size()) return error("unexpected text after the value");
    return Status();
  }

 private:
  Status error(const std::string& what) const {
    return invalid_argument(what + " at offset " + std::to_string(p_));
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
    if (depth > 32) return error("nesting too deep");
    skip_ws();
    if (p_ >= t_.size()) return error("unexpected end of text");
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
      if (!eat(':')) return error("expected ':' in a dict");
      RKYOLO_RETURN_IF_ERROR(value(&val, depth + 1));
      v->entries.push_back(PyEntry{std::move(key), std::move(val)});
      if (eat(',')) {
        if (eat('}')) return Status();
        continue;
      }
      if (eat('}')) return Status();
      return error("expected ',' or '}' in a dict");
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
      return error(std::string("expected ',' or '") + close + "' in a list");
    }
  }

  static void append_utf8(std::string* s, unsigned cp) {
    if (cp < 0x80) {
      s->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  Status hex(int digits, unsigned* cp) {
    if (p_ + digits > t_.size()) return error("truncated escape");
    *cp = 0;
    for (int i = 0; i < digits; ++i) {
      const char h = t_[p_++];
      *cp <<= 4;
      if (h >= '0' && h <= '9') *cp |= h - '0';
      else if (h >= 'a' && h <= 'f') *cp |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') *cp |= h - 'A' + 10;
      else return error("bad hex digit in escape");
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
        case 'x': RKYOLO_RETURN_IF_ERROR(hex(2, &cp)); append_utf8(s, cp); break;
        case 'u': RKYOLO_RETURN_IF_ERROR(hex(4, &cp)); append_utf8(s, cp); break;
        case 'U': RKYOLO_RETURN_IF_ERROR(hex(8, &cp)); append_utf8(s, cp); break;
        default: s->push_back(e); break;  // \\ \' \" and anything else literally
      }
    }
    return error("unterminated string");
  }

  Status number(PyValue* v) {
    const std::size_t start = p_;
    if (p_ < t_.size() && (t_[p_] == '-' || t_[p_] == '+')) ++p_;
    bool is_float = false;
    while (p_ < t_.size()) {
      const char c = t_[p_];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        ++p_;
      } else if (c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+') && (t_[p_ - 1] == 'e' || t_[p_ - 1] == 'E'))) {
        is_float = true;
        ++p_;
      } else {
        break;
      }
    }
    if (p_ == start) return error("unexpected character '" + std::string(1, t_[p_]) + "'");
    const std::string num(t_.substr(start, p_ - start));
    char* end = nullptr;
    if (is_float) {
      v->kind = PyValue::Kind::kFloat;
      v->f = std::strtod(num.c_str(), &end);
    } else {
      v->kind = PyValue::Kind::kInt;
      errno = 0;
      v->i = std::strtoll(num.c_str(), &end, 10);
      if (errno == ERANGE) return error("integer '" + num + "' out of range");
    }
    if (end == nullptr || *end != '\0') return error("malformed number '" + num + "'");
    return Status();
  }

  std::string_view t_;
  std::size_t p_ = 0;
};

Status key_error(const std::string& key, const std::string& why) {
  return invalid_model("model metadata '" + key + "' " + why);
}

// A whole number in [lo, hi], checked before any conversion (a huge or
// non-finite double converted to int is undefined behaviour).
bool int_in_range(const PyValue& v, std::int64_t lo, std::int64_t hi, int* out) {
  if (!v.is_number()) return false;
  const double d = v.number();
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != std::floor(d)) return false;
  *out = static_cast<int>(d);
  return true;
}

Status read_int_pair(const PyValue& v, const std::string& key, int* w, int* h) {
  const std::string range = "is not a size from 1 to " + std::to_string(kMaxInputSide);
  if (v.is_number()) {
    if (!int_in_range(v, 1, kMaxInputSide, w)) return key_error(key, range);
    *h = *w;
    return Status();
  }
  if (v.kind == PyValue::Kind::kList && v.items.size() == 2 && v.items[0].is_number() && v.items[1].is_number()) {
    // Ultralytics imgsz is [h, w]
    if (!int_in_range(v.items[0], 1, kMaxInputSide, h) || !int_in_range(v.items[1], 1, kMaxInputSide, w))
      return key_error(key, range);
    return Status();
  }
  return key_error(key, "is neither a number nor [h, w]");
}

bool is_power_of_two(int v) {
  return v > 0 && (v & (v - 1)) == 0;
}

// `stride`: Ultralytics stores the largest stride only (a power of two; the
// usual P3-P5 set s/4, s/2, s follows); others list every stride.
Status read_strides(const PyValue& v, const std::string& key, std::vector<int>* out) {
  if (v.is_number()) {
    int s = 0;
    if (!int_in_range(v, 4, kMaxStride, &s) || !is_power_of_two(s))
      return key_error(key, "is not a power of two from 4 to " + std::to_string(kMaxStride));
    *out = {s / 4, s / 2, s};
    return Status();
  }
  if (v.kind != PyValue::Kind::kList) return key_error(key, "is neither a number nor a list");
  if (v.items.empty() || v.items.size() > kMaxHeads)
    return key_error(
        key, "lists " + std::to_string(v.items.size()) + " strides (1 to " + std::to_string(kMaxHeads) + " expected)");
  for (const PyValue& item : v.items) {
    int s = 0;
    if (!int_in_range(item, 1, kMaxStride, &s))
      return key_error(key, "has an entry that is not a whole number from 1 to " + std::to_string(kMaxStride));
    out->push_back(s);
  }
  return Status();
}

// `names`: a list, or a dict of class id -> name with ids 0..n-1.
Status read_names(const PyValue& v, const std::string& key, std::vector<std::string>* out) {
  const std::size_t count = v.kind == PyValue::Kind::kList ? v.items.size() : v.entries.size();
  if (count > static_cast<std::size_t>(kMaxClasses))
    return key_error(key, "lists " + std::to_string(count) + " classes, more than " + std::to_string(kMaxClasses));
  if (v.kind == PyValue::Kind::kList) {
    for (const PyValue& item : v.items) {
      if (item.kind != PyValue::Kind::kString) return key_error(key, "has a non-string entry");
      out->push_back(item.s);
    }
    return Status();
  }
  if (v.kind != PyValue::Kind::kDict) return key_error(key, "is neither a list nor a dict");
  std::vector<std::pair<std::int64_t, std::string>> pairs;
  for (const auto& [k, val] : v.entries) {
    std::int64_t id;
    if (k.kind == PyValue::Kind::kInt) {
      id = k.i;
    } else if (k.kind == PyValue::Kind::kString && !k.s.empty() && std::all_of(k.s.begin(), k.s.end(), [](char c) {
                 return std::isdigit(static_cast<unsigned char>(c));
               })) {
      id = std::strtoll(k.s.c_str(), nullptr, 10);  // JSON keys are strings (saturates, then fails the check below)
    } else {
      return key_error(key, "has a non-integer class id");
    }
    if (val.kind != PyValue::Kind::kString) return key_error(key, "has a non-string class name");
    pairs.emplace_back(id, val.s);
  }
  std::sort(pairs.begin(), pairs.end());
  for (std::size_t i = 0; i < pairs.size(); ++i)
    if (pairs[i].first != static_cast<std::int64_t>(i))
      return key_error(key, "class ids are not 0.." + std::to_string(pairs.size() - 1));
  for (auto& p : pairs) out->push_back(std::move(p.second));
  return Status();
}

// One anchor size in pixels: finite, positive, at most the largest input.
bool anchor_value(const PyValue& v, float* out) {
  if (!v.is_number() || !(v.number() > 0 && v.number() <= static_cast<double>(kMaxInputSide))) return false;
  *out = static_cast<float>(v.number());
  return true;
}

// `anchors`: [[10,13, 16,30, 33,23], [...], [...]] or [[[10,13],[16,30],...], ...]
Status read_anchors(const PyValue& v, const std::string& key, std::vector<std::vector<std::pair<float, float>>>* out) {
  if (v.kind != PyValue::Kind::kList) return key_error(key, "is not a list");
  if (v.items.size() > kMaxHeads) return key_error(key, "has more than " + std::to_string(kMaxHeads) + " levels");
  const std::string bad_value = "has an anchor that is not a size from 0 to " + std::to_string(kMaxInputSide);
  for (const PyValue& level : v.items) {
    if (level.kind != PyValue::Kind::kList) return key_error(key, "has a non-list level");
    std::vector<float> flat;
    auto push = [&](const PyValue& value) {
      float f = 0;
      if (!anchor_value(value, &f)) return false;
      flat.push_back(f);
      return true;
    };
    for (const PyValue& a : level.items) {
      const bool pair = a.kind == PyValue::Kind::kList && a.items.size() == 2;
      if (!a.is_number() && !pair) return key_error(key, "has a malformed anchor");
      if (!(pair ? push(a.items[0]) && push(a.items[1]) : push(a))) return key_error(key, bad_value);
    }
    if (flat.empty() || flat.size() % 2 != 0 || flat.size() > 2 * kMaxAnchorsPerHead)
      return key_error(key, "needs 1 to " + std::to_string(kMaxAnchorsPerHead) + " (w, h) pairs per level");
    std::vector<std::pair<float, float>> pairs;
    for (std::size_t i = 0; i < flat.size(); i += 2) pairs.emplace_back(flat[i], flat[i + 1]);
    out->push_back(std::move(pairs));
  }
  return Status();
}

}  // namespace

Status parse_py_literal(std::string_view text, PyValue* out) {
  *out = PyValue{};
  return LiteralParser(text).parse(out);
}

Status parse_model_metadata(const std::map<std::string, std::string>& props, ModelMetadata* out) {
  *out = ModelMetadata{};
  for (const auto& [key, text] : props) {
    if (key != "names" && key != "stride" && key != "imgsz" && key != "task" && key != "end2end" && key != "nc" &&
        key != "anchors")
      continue;
    if (text.size() > kMaxMetadataValueBytes)
      return key_error(key, "is " + std::to_string(text.size()) + " bytes long, more than " +
                                std::to_string(kMaxMetadataValueBytes));
    PyValue v;
    Status st = parse_py_literal(text, &v);
    if (!st.ok()) {
      if (key == "task") {  // a bare word is fine for task
        out->task = text;
        continue;
      }
      return key_error(key, "cannot be parsed (" + st.message() + ")");
    }
    if (key == "names") {
      RKYOLO_RETURN_IF_ERROR(read_names(v, key, &out->names));
    } else if (key == "stride") {
      RKYOLO_RETURN_IF_ERROR(read_strides(v, key, &out->strides));
    } else if (key == "imgsz") {
      RKYOLO_RETURN_IF_ERROR(read_int_pair(v, key, &out->imgsz_w, &out->imgsz_h));
    } else if (key == "task") {
      out->task = v.kind == PyValue::Kind::kString ? v.s : text;
    } else if (key == "end2end") {
      if (v.kind == PyValue::Kind::kBool) out->end2end = v.b;
      else if (v.is_number()) out->end2end = v.number() != 0;
      else return key_error(key, "is not a boolean");
    } else if (key == "nc") {
      if (v.kind != PyValue::Kind::kInt || v.i <= 0 || v.i > kMaxClasses)
        return key_error(key, "is not a class count from 1 to " + std::to_string(kMaxClasses));
      out->num_classes = static_cast<int>(v.i);
    } else if (key == "anchors") {
      RKYOLO_RETURN_IF_ERROR(read_anchors(v, key, &out->anchors));
    }
  }
  return Status();
}

Status read_labels_file(const std::string& path, std::vector<std::string>* names) {
  names->clear();
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return invalid_argument("labels file '" + path + "' is a directory, not a file");
  std::ifstream in(path);
  if (!in) return not_found("cannot open labels file '" + path + "'");
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    std::size_t start = 0;
    while (start < line.size() && std::isspace(static_cast<unsigned char>(line[start]))) ++start;
    if (start < line.size()) names->push_back(line.substr(start));
  }
  if (in.bad()) return io_error("error while reading labels file '" + path + "'");
  if (names->empty()) return invalid_argument("labels file '" + path + "' has no names");
  return Status();
}


bool parse_channel_triplet(std::string_view text, float out[3]) {
  int n = 0;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = text.find(',', pos);
    const std::string item(text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (n >= 3) return false;
    char* end = nullptr;
    out[n] = std::strtof(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || !std::isfinite(out[n])) return false;
    ++n;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (n == 1) out[1] = out[2] = out[0];
  return n == 1 || n == 3;
}

}  // namespace rkyolo::core
