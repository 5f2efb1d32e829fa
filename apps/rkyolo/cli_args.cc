#include "rkyolo/cli_args.h"

#include "rkyolo/i18n.h"

namespace rkyolo::cli {

Status Args::parse(const std::string& command, int argc, char** argv, int first, const std::vector<OptionSpec>& specs) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      help_ = true;
      continue;
    }
    std::string value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0) {
      const std::size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline = true;
      }
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == arg || (!s.short_name.empty() && s.short_name == arg)) spec = &s;
    if (spec == nullptr) {
      if (arg.empty() || arg[0] != '-') return invalid_argument(trf(Msg::kUnexpectedArgument, arg));
      return invalid_argument(trf(Msg::kUnknownOption, arg, command, command));
    }
    if (spec->takes_value) {
      if (!has_inline) {
        if (i + 1 >= argc) return invalid_argument(trf(Msg::kMissingValue, spec->name));
        value = argv[++i];
      }
      values_[spec->name].push_back(value);
    } else {
      if (has_inline) return invalid_argument(trf(Msg::kBadValue, value, spec->name, "this option takes no value"));
      values_[spec->name].push_back("1");
    }
  }
  return Status();
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

}  // namespace rkyolo::cli
