// The zones file: a small JSON reader (the core stays standard-library only)
// and the mapping of its values onto ZoneConfig.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "rkyolo/track_events.h"

namespace rkyolo {
namespace {

struct JsonMember;

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = Kind::kNull;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  // Not std::pair<std::string, JsonValue>: a pair of a type still being
  // defined is refused by clang with libstdc++.
  std::vector<JsonMember> object;
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

constexpr int kMaxDepth = 32;

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  Status read(JsonValue* out) {
    RKYOLO_RETURN_IF_ERROR(value(out, 0));
    skip_space();
    if (pos_ != text_.size()) return error("unexpected text after the JSON value");
    return Status::ok_status();
  }

 private:
  Status error(const std::string& what) const {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return invalid_argument(what + " at line " + std::to_string(line) + ", column " + std::to_string(column));
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status value(JsonValue* out, int depth) {
    if (depth > kMaxDepth) return error("JSON nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) return error("unexpected end of the file");
    const char c = text_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      out->kind = JsonValue::Kind::kString;
      return string(&out->string);
    }
    if (consume("true") || consume("false")) {
      out->kind = JsonValue::Kind::kBool;
      return Status::ok_status();
    }
    if (consume("null")) {
      out->kind = JsonValue::Kind::kNull;
      return Status::ok_status();
    }
    return number(out);
  }

  Status number(JsonValue* out) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && std::string_view("+-0123456789.eE").find(text_[pos_]) != std::string_view::npos)
      ++pos_;
    if (start == pos_) return error("expected a value");
    const std::string token(text_.substr(start, pos_ - start));
    char* end = nullptr;
    out->number = std::strtod(token.c_str(), &end);
    if (end != token.c_str() + token.size()) {
      pos_ = start;
      return error("bad number '" + token + "'");
    }
    out->kind = JsonValue::Kind::kNumber;
    return Status::ok_status();
  }

  Status string(std::string* out) {
    ++pos_;  // opening quote
    out->clear();
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size()) break;
        const char e = text_[pos_++];
        switch (e) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'u': return error("\\u escapes are not supported in names; write the UTF-8 characters");
          default: c = e;  // \" \\ \/
        }
      }
      out->push_back(c);
    }
    if (pos_ >= text_.size()) return error("unterminated string");
    ++pos_;  // closing quote
    return Status::ok_status();
  }

  Status array(JsonValue* out, int depth) {
    ++pos_;
    out->kind = JsonValue::Kind::kArray;
    skip_space();
    if (consume("]")) return Status::ok_status();
    while (true) {
      out->array.emplace_back();
      RKYOLO_RETURN_IF_ERROR(value(&out->array.back(), depth + 1));
      skip_space();
      if (consume(",")) continue;
      if (consume("]")) return Status::ok_status();
      return error("expected ',' or ']'");
    }
  }

  Status object(JsonValue* out, int depth) {
    ++pos_;
    out->kind = JsonValue::Kind::kObject;
    skip_space();
    if (consume("}")) return Status::ok_status();
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return error("expected a key in quotes");
      out->object.emplace_back();
      RKYOLO_RETURN_IF_ERROR(string(&out->object.back().key));
      skip_space();
      if (!consume(":")) return error("expected ':'");
      RKYOLO_RETURN_IF_ERROR(value(&out->object.back().value, depth + 1));
      skip_space();
      if (consume(",")) continue;
      if (consume("}")) return Status::ok_status();
      return error("expected ',' or '}'");
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Status to_point(const JsonValue& v, const std::string& what, Point* out) {
  if (v.kind != JsonValue::Kind::kArray || v.array.size() != 2 || v.array[0].kind != JsonValue::Kind::kNumber ||
      v.array[1].kind != JsonValue::Kind::kNumber)
    return invalid_argument(what + " must be a point [x, y]");
  *out = {static_cast<float>(v.array[0].number), static_cast<float>(v.array[1].number)};
  return Status::ok_status();
}

Status to_name(const JsonValue& v, const std::string& what, std::string* out) {
  if (v.kind != JsonValue::Kind::kString) return invalid_argument(what + ": \"name\" must be a string");
  *out = v.string;
  return Status::ok_status();
}

Status to_zone(const JsonValue& v, const std::string& what, Zone* out) {
  if (v.kind != JsonValue::Kind::kObject) return invalid_argument(what + " must be an object");
  bool has_points = false;
  for (const auto& [key, value] : v.object) {
    if (key == "name") {
      RKYOLO_RETURN_IF_ERROR(to_name(value, what, &out->name));
    } else if (key == "points") {
      if (value.kind != JsonValue::Kind::kArray) return invalid_argument(what + ": \"points\" must be an array");
      has_points = true;
      for (std::size_t i = 0; i < value.array.size(); ++i) {
        out->polygon.emplace_back();
        RKYOLO_RETURN_IF_ERROR(to_point(value.array[i], what + " point " + std::to_string(i), &out->polygon.back()));
      }
    } else {
      return invalid_argument(what + ": unknown key \"" + key + "\" (zones have \"name\" and \"points\")");
    }
  }
  if (!has_points) return invalid_argument(what + " has no \"points\"");
  return Status::ok_status();
}

Status to_line(const JsonValue& v, const std::string& what, CountLine* out) {
  if (v.kind != JsonValue::Kind::kObject) return invalid_argument(what + " must be an object");
  bool has_from = false, has_to = false;
  for (const auto& [key, value] : v.object) {
    if (key == "name") {
      RKYOLO_RETURN_IF_ERROR(to_name(value, what, &out->name));
    } else if (key == "from") {
      RKYOLO_RETURN_IF_ERROR(to_point(value, what + ": \"from\"", &out->from));
      has_from = true;
    } else if (key == "to") {
      RKYOLO_RETURN_IF_ERROR(to_point(value, what + ": \"to\"", &out->to));
      has_to = true;
    } else {
      return invalid_argument(what + ": unknown key \"" + key + "\" (lines have \"name\", \"from\" and \"to\")");
    }
  }
  if (!has_from || !has_to) return invalid_argument(what + " needs both \"from\" and \"to\"");
  return Status::ok_status();
}

}  // namespace

Status parse_zones_json(std::string_view text, ZoneConfig* out) {
  JsonValue root;
  RKYOLO_RETURN_IF_ERROR(JsonReader(text).read(&root));
  if (root.kind != JsonValue::Kind::kObject)
    return invalid_argument("a zones file is a JSON object with \"zones\" and/or \"lines\"");
  ZoneConfig config;
  for (const auto& [key, value] : root.object) {
    if (key != "zones" && key != "lines")
      return invalid_argument("unknown key \"" + key + "\" (a zones file has \"zones\" and \"lines\")");
    if (value.kind != JsonValue::Kind::kArray) return invalid_argument("\"" + key + "\" must be an array");
    for (std::size_t i = 0; i < value.array.size(); ++i) {
      if (key == "zones") {
        config.zones.emplace_back();
        RKYOLO_RETURN_IF_ERROR(to_zone(value.array[i], "zone " + std::to_string(i), &config.zones.back()));
      } else {
        config.lines.emplace_back();
        RKYOLO_RETURN_IF_ERROR(to_line(value.array[i], "line " + std::to_string(i), &config.lines.back()));
      }
    }
  }
  RKYOLO_RETURN_IF_ERROR(validate(config));
  *out = std::move(config);
  return Status::ok_status();
}

Status load_zones_file(const std::string& path, ZoneConfig* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("zones file '" + path + "' cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error("zones file '" + path + "' cannot be read");
  return parse_zones_json(text.str(), out).with_context("zones file '" + path + "'");
}

}  // namespace rkyolo
