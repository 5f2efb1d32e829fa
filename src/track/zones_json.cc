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
    if (pos_ != text_.size()) return error(MessageId::kJsonTrailingText);
    return Status::ok_status();
  }

 private:
  Status error(MessageId id, std::vector<MessageArg> args = {}) const {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return invalid_argument(MessageId::kJsonAt,
                            {{"what", Message(id, std::move(args))}, {"line", line}, {"column", column}});
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
    if (depth > kMaxDepth) return error(MessageId::kJsonTooDeep);
    skip_space();
    if (pos_ >= text_.size()) return error(MessageId::kJsonUnexpectedEnd);
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
    if (start == pos_) return error(MessageId::kJsonExpectedValue);
    const std::string token(text_.substr(start, pos_ - start));
    char* end = nullptr;
    out->number = std::strtod(token.c_str(), &end);
    if (end != token.c_str() + token.size()) {
      pos_ = start;
      return error(MessageId::kJsonBadNumber, {{"token", token}});
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
          case 'u': return error(MessageId::kJsonUnicodeEscape);
          default: c = e;  // \" \\ \/
        }
      }
      out->push_back(c);
    }
    if (pos_ >= text_.size()) return error(MessageId::kUnterminatedString);
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
      return error(MessageId::kJsonExpectedArraySeparator);
    }
  }

  Status object(JsonValue* out, int depth) {
    ++pos_;
    out->kind = JsonValue::Kind::kObject;
    skip_space();
    if (consume("}")) return Status::ok_status();
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return error(MessageId::kJsonExpectedKey);
      out->object.emplace_back();
      RKYOLO_RETURN_IF_ERROR(string(&out->object.back().key));
      skip_space();
      if (!consume(":")) return error(MessageId::kJsonExpectedColon);
      RKYOLO_RETURN_IF_ERROR(value(&out->object.back().value, depth + 1));
      skip_space();
      if (consume(",")) continue;
      if (consume("}")) return Status::ok_status();
      return error(MessageId::kJsonExpectedObjectSeparator);
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Status to_point(const JsonValue& v, const Message& what, Point* out) {
  if (v.kind != JsonValue::Kind::kArray || v.array.size() != 2 || v.array[0].kind != JsonValue::Kind::kNumber ||
      v.array[1].kind != JsonValue::Kind::kNumber)
    return invalid_argument(MessageId::kZonesNotPoint, {{"what", what}});
  *out = {static_cast<float>(v.array[0].number), static_cast<float>(v.array[1].number)};
  return Status::ok_status();
}

Status to_name(const JsonValue& v, const Message& what, std::string* out) {
  if (v.kind != JsonValue::Kind::kString) return invalid_argument(MessageId::kZonesNameNotString, {{"what", what}});
  *out = v.string;
  return Status::ok_status();
}

Status to_zone(const JsonValue& v, const Message& what, Zone* out) {
  if (v.kind != JsonValue::Kind::kObject) return invalid_argument(MessageId::kZonesNotObject, {{"what", what}});
  bool has_points = false;
  for (const auto& [key, value] : v.object) {
    if (key == "name") {
      RKYOLO_RETURN_IF_ERROR(to_name(value, what, &out->name));
    } else if (key == "points") {
      if (value.kind != JsonValue::Kind::kArray)
        return invalid_argument(MessageId::kZonesPointsNotArray, {{"what", what}});
      has_points = true;
      for (std::size_t i = 0; i < value.array.size(); ++i) {
        out->polygon.emplace_back();
        RKYOLO_RETURN_IF_ERROR(to_point(value.array[i],
                                        Message(MessageId::kZonesPointIndex, {{"what", what}, {"index", i}}),
                                        &out->polygon.back()));
      }
    } else {
      return invalid_argument(MessageId::kZonesZoneUnknownKey, {{"what", what}, {"key", key}});
    }
  }
  if (!has_points) return invalid_argument(MessageId::kZonesNoPoints, {{"what", what}});
  return Status::ok_status();
}

Status to_line(const JsonValue& v, const Message& what, CountLine* out) {
  if (v.kind != JsonValue::Kind::kObject) return invalid_argument(MessageId::kZonesNotObject, {{"what", what}});
  bool has_from = false, has_to = false;
  for (const auto& [key, value] : v.object) {
    if (key == "name") {
      RKYOLO_RETURN_IF_ERROR(to_name(value, what, &out->name));
    } else if (key == "from") {
      RKYOLO_RETURN_IF_ERROR(to_point(value, Message(MessageId::kZonesFromKey, {{"what", what}}), &out->from));
      has_from = true;
    } else if (key == "to") {
      RKYOLO_RETURN_IF_ERROR(to_point(value, Message(MessageId::kZonesToKey, {{"what", what}}), &out->to));
      has_to = true;
    } else {
      return invalid_argument(MessageId::kZonesLineUnknownKey, {{"what", what}, {"key", key}});
    }
  }
  if (!has_from || !has_to) return invalid_argument(MessageId::kZonesLineEnds, {{"what", what}});
  return Status::ok_status();
}

}  // namespace

Status parse_zones_json(std::string_view text, ZoneConfig* out) {
  JsonValue root;
  RKYOLO_RETURN_IF_ERROR(JsonReader(text).read(&root));
  if (root.kind != JsonValue::Kind::kObject) return invalid_argument(MessageId::kZonesRootNotObject);
  ZoneConfig config;
  for (const auto& [key, value] : root.object) {
    if (key != "zones" && key != "lines") return invalid_argument(MessageId::kZonesRootUnknownKey, {{"key", key}});
    if (value.kind != JsonValue::Kind::kArray) return invalid_argument(MessageId::kZonesKeyNotArray, {{"key", key}});
    for (std::size_t i = 0; i < value.array.size(); ++i) {
      if (key == "zones") {
        config.zones.emplace_back();
        RKYOLO_RETURN_IF_ERROR(
            to_zone(value.array[i], Message(MessageId::kZonesZoneIndex, {{"index", i}}), &config.zones.back()));
      } else {
        config.lines.emplace_back();
        RKYOLO_RETURN_IF_ERROR(
            to_line(value.array[i], Message(MessageId::kZonesLineIndex, {{"index", i}}), &config.lines.back()));
      }
    }
  }
  RKYOLO_RETURN_IF_ERROR(validate(config));
  *out = std::move(config);
  return Status::ok_status();
}

Status load_zones_file(const std::string& path, ZoneConfig* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(MessageId::kZonesCannotOpen, {{"path", path}});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error(MessageId::kZonesCannotRead, {{"path", path}});
  return parse_zones_json(text.str(), out).with_context(Message(MessageId::kZonesFile, {{"path", path}}));
}

}  // namespace rkyolo
