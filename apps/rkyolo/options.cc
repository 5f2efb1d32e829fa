#include "rkyolo/options.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <opencv2/core/utils/logger.hpp>
#include <sstream>

#include "core/user_text.h"
#include "rkyolo/commands.h"
#include "rkyolo/i18n.h"
#include "rkyolo/log.h"

namespace rkyolo::cli {

Status parse_float(const std::string& option, const std::string& text, float lo, float hi, float* out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || errno != 0 || !std::isfinite(v))
    return invalid_argument(trf(Msg::kBadValue, text, option, "not a number"));
  if (v < lo || v > hi) {
    std::ostringstream range;
    range << "must be between " << lo << " and " << hi;
    return invalid_argument(trf(Msg::kBadValue, text, option, range.str()));
  }
  *out = static_cast<float>(v);
  return Status();
}

Status parse_int(const std::string& option, const std::string& text, int lo, int hi, int* out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || end == nullptr || *end != '\0' || errno != 0)
    return invalid_argument(trf(Msg::kBadValue, text, option, "not an integer"));
  if (v < lo || v > hi)
    return invalid_argument(
        trf(Msg::kBadValue, text, option, "must be between " + std::to_string(lo) + " and " + std::to_string(hi)));
  *out = static_cast<int>(v);
  return Status();
}

Status parse_class_list(const std::string& option, const std::string& text, std::vector<int>* out) {
  out->clear();
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    int c;
    Status s = parse_int(option, item, 0, 1 << 20, &c);
    if (!s.ok()) return invalid_argument(trf(Msg::kBadValue, text, option, "expected class ids such as 0,2"));
    out->push_back(c);
  }
  if (out->empty()) return invalid_argument(trf(Msg::kBadValue, text, option, "expected class ids such as 0,2"));
  return Status();
}

Status parse_anchors(const std::string& option, const std::string& text, LayoutHints* hints) {
  hints->anchors.clear();
  std::stringstream levels(text);
  std::string level;
  const Status bad =
      invalid_argument(trf(Msg::kBadValue, text, option, "expected w,h pairs per stride separated by ';'"));
  while (std::getline(levels, level, ';')) {
    std::stringstream nums(level);
    std::string n;
    std::vector<float> v;
    while (std::getline(nums, n, ',')) {
      float f;
      if (!parse_float(option, n, 0.01f, 100000.0f, &f).ok()) return bad;
      v.push_back(f);
    }
    if (v.empty() || v.size() % 2 != 0) return bad;
    std::vector<std::array<float, 2>> pairs;
    for (std::size_t i = 0; i < v.size(); i += 2) pairs.push_back({v[i], v[i + 1]});
    hints->anchors.push_back(pairs);
  }
  if (hints->anchors.empty()) return bad;
  for (const auto& l : hints->anchors)
    if (l.size() != hints->anchors[0].size())
      return invalid_argument(trf(Msg::kBadValue, text, option, "every stride needs the same number of anchors"));
  return Status();
}

std::vector<OptionSpec> model_option_specs() {
  return {{"--model", true, ""},      {"--backend", true, ""},   {"--labels", true, ""},   {"--anchors", true, ""},
          {"--threads", true, ""},    {"--rknn-lib", true, ""},  {"--rknn-io", true, ""},  {"--npu-cores", true, ""},
          {"--rknn-input", true, ""}, {"--rknn-mean", true, ""}, {"--rknn-std", true, ""}, {"--imgsz", true, ""},
          {"--lang", true, ""},       {"--verbose", false, "-v"}};
}

Status detector_options_from(const Args& args, float default_conf, float default_iou, DetectorOptions* o) {
  *o = DetectorOptions{};
  o->conf_threshold = default_conf;
  o->iou_threshold = default_iou;
  if (!args.has("--model")) return invalid_argument(trf(Msg::kMissingOption, "--model"));
  o->model_path = args.get("--model");
  o->backend = args.get("--backend", "auto");
  if (o->backend != "auto" && o->backend != "cpu" && o->backend != "rknn")
    return invalid_argument(trf(Msg::kBadValue, o->backend, "--backend", "expected auto, cpu or rknn"));
  if (args.has("--conf")) RKYOLO_RETURN_IF_ERROR(parse_float("--conf", args.get("--conf"), 0, 1, &o->conf_threshold));
  if (args.has("--iou")) RKYOLO_RETURN_IF_ERROR(parse_float("--iou", args.get("--iou"), 0, 1, &o->iou_threshold));
  if (args.has("--max-det"))
    RKYOLO_RETURN_IF_ERROR(parse_int("--max-det", args.get("--max-det"), 0, 100000, &o->max_det));
  if (args.has("--classes")) RKYOLO_RETURN_IF_ERROR(parse_class_list("--classes", args.get("--classes"), &o->classes));
  o->agnostic_nms = args.has("--agnostic-nms");
  if (args.has("--anchors"))
    RKYOLO_RETURN_IF_ERROR(parse_anchors("--anchors", args.get("--anchors"), &o->layout_hints));
  if (args.has("--labels")) {
    Status s = core::read_labels_file(args.get("--labels"), &o->labels);
    if (!s.ok()) return Status(s.code(), trf(Msg::kLabelsFile, s.message()));
    o->layout_hints.num_classes = static_cast<int>(o->labels.size());
  }
  auto& p = o->backend_options.params;
  if (args.has("--threads")) {
    int t;
    RKYOLO_RETURN_IF_ERROR(parse_int("--threads", args.get("--threads"), 1, 256, &t));
    p["threads"] = std::to_string(t);
  }
  if (args.has("--imgsz")) {
    int s;
    RKYOLO_RETURN_IF_ERROR(parse_int("--imgsz", args.get("--imgsz"), 32, 8192, &s));
    p["imgsz"] = std::to_string(s);
  }
  const char* env_lib = std::getenv("RKYOLO_RKNN_LIB");
  if (args.has("--rknn-lib"))
    p["rknn_lib"] = args.get("--rknn-lib");
  else if (env_lib != nullptr && *env_lib != '\0')
    p["rknn_lib"] = env_lib;
  if (args.has("--rknn-io")) {
    const std::string m = args.get("--rknn-io");
    if (m != "auto" && m != "zero-copy" && m != "standard")
      return invalid_argument(trf(Msg::kBadValue, m, "--rknn-io", "expected auto, zero-copy or standard"));
    p["rknn_io"] = m;
  }
  if (args.has("--npu-cores")) {
    const std::string c = args.get("--npu-cores");
    if (c != "auto" && c != "0" && c != "1" && c != "2" && c != "0_1" && c != "0_1_2" && c != "all")
      return invalid_argument(trf(Msg::kBadValue, c, "--npu-cores", "expected auto, 0, 1, 2, 0_1, 0_1_2 or all"));
    p["npu_cores"] = c;
  }
  if (args.has("--rknn-input")) {
    const std::string t = args.get("--rknn-input");
    if (t != "auto" && t != "uint8" && t != "int8")
      return invalid_argument(trf(Msg::kBadValue, t, "--rknn-input", "expected auto, uint8 or int8"));
    p["rknn_input"] = t;
  }
  for (const char* opt : {"--rknn-mean", "--rknn-std"}) {
    if (!args.has(opt)) continue;
    const std::string v = args.get(opt);
    float values[3];
    const bool is_std = std::string(opt) == "--rknn-std";
    if (!core::parse_channel_triplet(v, values) || (is_std && !(values[0] > 0 && values[1] > 0 && values[2] > 0)))
      return invalid_argument(trf(Msg::kBadValue, v, opt,
                                  is_std ? "expected one or three positive numbers, e.g. 255,255,255"
                                         : "expected one or three numbers, e.g. 0,0,0"));
    p[is_std ? "rknn_std" : "rknn_mean"] = v;
  }
  return validate(*o);
}

Status apply_language(const Args& args) {
  if (!args.has("--lang")) return Status();
  Lang l;
  if (!parse_language(args.get("--lang"), &l))
    return invalid_argument(trf(Msg::kBadValue, args.get("--lang"), "--lang", "expected en or zh"));
  set_language(l);
  return Status();
}

bool start_command(const char* name, int argc, char** argv, int first, const std::vector<OptionSpec>& specs, Msg usage,
                   Args* args, int* exit_code) {
  Status s = args->parse(name, argc, argv, first, specs);
  if (s.ok()) s = apply_language(*args);
  if (!s.ok()) {
    print_error(s.message());
    *exit_code = kExitUsage;
    return false;
  }
  if (args->help()) {
    std::fputs(tr(usage), stdout);
    *exit_code = kExitOk;
    return false;
  }
  configure_logging(args->has("--verbose"));
  return true;
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "%s%s\n", tr(Msg::kErrorPrefix), localize_detail(message).c_str());
}
void print_warning(const std::string& message) {
  std::fprintf(stderr, "%s%s\n", tr(Msg::kWarningPrefix), localize_detail(message).c_str());
}

void configure_logging(bool verbose) {
  set_log_level(verbose ? LogLevel::kInfo : LogLevel::kWarning);
  // Library messages go through the translated "warning:"/"error:" prefixes.
  set_log_callback(
      [](LogLevel level, std::string_view message, void*) {
        const char* prefix = level >= LogLevel::kError     ? tr(Msg::kErrorPrefix)
                             : level == LogLevel::kWarning ? tr(Msg::kWarningPrefix)
                                                           : "";
        std::fprintf(stderr, "%s%s\n", prefix, localize_detail(message).c_str());
      },
      nullptr);
  cv::utils::logging::setLogLevel(verbose ? cv::utils::logging::LOG_LEVEL_WARNING
                                          : cv::utils::logging::LOG_LEVEL_SILENT);
}

}  // namespace rkyolo::cli
