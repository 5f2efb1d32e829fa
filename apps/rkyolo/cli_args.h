// rkyolo CLI: a small argument parser whose errors are translated sentences.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo::cli {

struct OptionSpec {
  std::string name;  // "--conf"
  bool takes_value = false;
  std::string short_name;  // "-v" (optional)
};

class Args {
 public:
  // Parses argv[first..argc). "--opt value", "--opt=value" and flags.
  Status parse(const std::string& command, int argc, char** argv, int first, const std::vector<OptionSpec>& specs);
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // Last value given for an option, or `fallback`.
  std::string get(const std::string& name, const std::string& fallback = {}) const;
  const std::vector<std::string>& all(const std::string& name) const;
  bool help() const { return help_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  bool help_ = false;
};

}  // namespace rkyolo::cli
