// rkyolo CLI: the YAML subset that Ultralytics dataset files use.
//
// Block mappings and lists (nested by indentation, "key:" followed by a list
// at the same indentation too), flow mappings and lists ({0: a}, [a, b]) that
// may span lines, plain, 'single' and "double" quoted scalars, comments, and
// block scalars (| and >, e.g. Ultralytics' download scripts). Not anchors,
// aliases, tags or multi-line plain scalars. Errors name the line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo::cli {

struct YamlEntry;

struct YamlNode {
  enum class Kind { kNull, kScalar, kMap, kList };
  Kind kind = Kind::kNull;
  std::string scalar;  // kScalar: the text, quotes and escapes resolved
  bool quoted = false;
  // kMap, in file order. Not std::pair<std::string, YamlNode>: pair needs a
  // complete type where the class is still incomplete (clang + libstdc++).
  std::vector<YamlEntry> entries;
  std::vector<YamlNode> items;  // kList
  int line = 0;                 // 1-based line of the value

  bool is_null() const {
    return kind == Kind::kNull || (kind == Kind::kScalar && !quoted && (scalar == "null" || scalar == "~"));
  }
  // The last entry with this key (as PyYAML keeps the last duplicate), or null.
  const YamlNode* find(std::string_view key) const;
};

struct YamlEntry {
  std::string key;
  YamlNode value;
};

// Parses `text`; errors read "<file_name>:<line>: <what>" (translated).
Status parse_yaml(std::string_view text, const std::string& file_name, YamlNode* root);

}  // namespace rkyolo::cli
