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

Status cpu_options_from(const Args& args, CpuOptions* out) {
  *out = CpuOptions{};
  if (args.has("--threads"))
    RKYOLO_RETURN_IF_ERROR(parse_int("--threads", args.get("--threads"), 1, 256, &out->threads));
  if (args.has("--imgsz"))
    RKYOLO_RETURN_IF_ERROR(parse_int("--imgsz", args.get("--imgsz"), 32, 8192, &out->input_size));
  return Status();
}

Status rknn_options_from(const Args& args, RknnOptions* out) {
  *out = RknnOptions{};
  const char* env_lib = std::getenv("RKYOLO_RKNN_LIB");
  if (args.has("--rknn-lib"))
    out->library = args.get("--rknn-lib");
  else if (env_lib != nullptr && *env_lib != '\0')
    out->library = env_lib;
  if (args.has("--rknn-io") && !parse_rknn_io(args.get("--rknn-io"), &out->io))
    return invalid_argument(
        trf(Msg::kBadValue, args.get("--rknn-io"), "--rknn-io", "expected auto, zero-copy or standard"));
  if (args.has("--rknn-input") && !parse_rknn_input(args.get("--rknn-input"), &out->input))
    return invalid_argument(
        trf(Msg::kBadValue, args.get("--rknn-input"), "--rknn-input", "expected auto, uint8 or int8"));
  if (args.has("--npu-cores") && !parse_npu_cores(args.get("--npu-cores"), out))
    return invalid_argument(trf(Msg::kBadValue, args.get("--npu-cores"), "--npu-cores",
                                "expected auto, all, or distinct cores 0 to 2 joined by '_' such as 0_1_2"));
  if (args.has("--rknn-mean")) {
    const std::string v = args.get("--rknn-mean");
    if (!core::parse_channel_triplet(v, out->mean))
      return invalid_argument(trf(Msg::kBadValue, v, "--rknn-mean", "expected one or three numbers, e.g. 0,0,0"));
    out->has_mean = true;
  }
  if (args.has("--rknn-std")) {
    const std::string v = args.get("--rknn-std");
    if (!core::parse_channel_triplet(v, out->std) || !(out->std[0] > 0 && out->std[1] > 0 && out->std[2] > 0))
      return invalid_argument(
          trf(Msg::kBadValue, v, "--rknn-std", "expected one or three positive numbers, e.g. 255,255,255"));
    out->has_std = true;
  }
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
    if (!s.ok()) return Status(s.code(), trf(Msg::kLabelsFile, localized(s)));
    o->layout_hints.num_classes = static_cast<int>(o->labels.size());
  }
  RKYOLO_RETURN_IF_ERROR(cpu_options_from(args, &o->backend_options.cpu));
  RKYOLO_RETURN_IF_ERROR(rknn_options_from(args, &o->backend_options.rknn));
  return validate(*o);
}

Status open_session(const DetectorOptions& options, bool verbose, std::unique_ptr<Session>* out) {
  register_builtin_backends();
  std::shared_ptr<const Model> model;
  Status s = Model::load(options, &model);
  if (s.ok()) s = model->create_session(out);
  if (!s.ok()) return Status(s.code(), trf(Msg::kCannotLoadModel, localized(s)));
  if (verbose) {
    const RuntimeInfo& r = model->runtime();
    std::fprintf(stderr, "%s\n", model->backend_choice().c_str());
    std::fprintf(stderr, "runtime %s; %s; session on %s\n", r.runtime.c_str(), r.io_detail.c_str(),
                 to_string((*out)->placement()).c_str());
    std::ostringstream layout;
    layout << model->layout();
    std::fprintf(stderr, "%s\n", trf(Msg::kLayoutDetected, layout.str()).c_str());
  }
  return Status();
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
    print_error(localized(s));
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
  std::fprintf(stderr, "%s%s\n", tr(Msg::kErrorPrefix), message.c_str());
}
void print_warning(const std::string& message) {
  std::fprintf(stderr, "%s%s\n", tr(Msg::kWarningPrefix), message.c_str());
}

void configure_logging(bool verbose) {
  set_log_level(verbose ? LogLevel::kInfo : LogLevel::kWarning);
  // Library messages go through the translated "warning:"/"error:" prefixes,
  // each translated by its id.
  set_log_message_callback(
      [](LogLevel level, const Message& message, void*) {
        const char* prefix = level >= LogLevel::kError     ? tr(Msg::kErrorPrefix)
                             : level == LogLevel::kWarning ? tr(Msg::kWarningPrefix)
                                                           : "";
        std::fprintf(stderr, "%s%s\n", prefix, localized(message).c_str());
      },
      nullptr);
  cv::utils::logging::setLogLevel(verbose ? cv::utils::logging::LOG_LEVEL_WARNING
                                          : cv::utils::logging::LOG_LEVEL_SILENT);
}

}  // namespace rkyolo::cli
