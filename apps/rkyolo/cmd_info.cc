// rkyolo info: what a model file is, as the backend sees it, and which YOLO
// layout rkyolo recognised (so users stop guessing what their tensors are).
#include <cstdio>
#include <sstream>

#include "rkyolo/commands.h"
#include "rkyolo/i18n.h"
#include "rkyolo/layout.h"
#include "rkyolo/options.h"

namespace rkyolo::cli {

namespace {

void row(const char* key, const std::string& value) {
  std::printf("%-10s %s\n", key, value.c_str());
}

std::string tensor_line(int index, const TensorInfo& t) {
  std::ostringstream os;
  os << '#' << index << ' ' << t;
  return os.str();
}

std::string input_feed(const InputCaps& in) {
  std::ostringstream os;
  os << "fed as " << (in.color == PixelFormat::kRgb8 ? "RGB " : "BGR ") << layout_name(in.layout) << ' '
     << dtype_name(in.dtype) << ' ' << in.width << 'x' << in.height;
  if (in.row_stride_pixels > in.width) os << " (w_stride " << in.row_stride_pixels << ')';
  if (in.dtype == DType::kFloat32) {
    os << ", v = (pixel - " << in.mean[0] << ") / " << in.std[0];
  } else if (in.dtype == DType::kInt8) {
    os << ", q = round((pixel - " << in.mean[0] << ") / " << in.std[0] << " / " << in.quant.scale << ") + "
       << in.quant.zero_point;
  } else {
    os << ", raw pixels (the device normalizes)";
  }
  os << (in.zero_copy ? "; written in place into device memory" : "; written into a host buffer");
  return os.str();
}

}  // namespace

int cmd_info(int argc, char** argv, int first) {
  Args args;
  int exit_code;
  if (!start_command("info", argc, argv, first, model_option_specs(), Msg::kUsageInfo, &args, &exit_code))
    return exit_code;
  DetectorOptions options;
  Status s = detector_options_from(args, 0.25f, 0.45f, &options);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  register_builtin_backends();
  BackendOptions bo = options.backend_options;
  bo.model_path = options.model_path;
  std::unique_ptr<Backend> backend;
  std::string choice;
  s = create_backend(options.backend, bo, &backend, &choice);
  if (!s.ok()) {
    print_error(trf(Msg::kCannotLoadModel, localized(s)));
    return kExitUsage;
  }
  const ModelInfo& info = backend->model_info();
  const BackendCaps& caps = backend->caps();
  row("model", info.path + " (" + info.format + ")");
  row("backend", caps.name + ": " + caps.device);
  if (args.has("--verbose")) row("", choice);
  const RuntimeInfo runtime = backend->runtime_info();
  row("", "runtime: " + runtime.runtime);
  if (!runtime.driver_version.empty()) row("", "driver: " + runtime.driver_version);
  if (!runtime.library_path.empty()) row("", "library: " + runtime.library_path);
  row("", "io mode: " + runtime.io_detail);
  if (runtime.npu_cores > 0) row("", "NPU cores: " + std::to_string(runtime.npu_cores));
  std::string placements;
  for (const Placement& p : backend->placements()) placements += (placements.empty() ? "" : ", ") + to_string(p);
  row("", "sessions run on: " + placements);
  for (const auto& [key, value] : backend->describe()) row("", key + ": " + value);
  for (std::size_t i = 0; i < info.inputs.size(); ++i)
    row(i == 0 ? "inputs" : "", tensor_line(static_cast<int>(i), info.inputs[i]));
  row("", input_feed(caps.input));
  for (std::size_t i = 0; i < info.outputs.size(); ++i)
    row(i == 0 ? "outputs" : "", tensor_line(static_cast<int>(i), info.outputs[i]));

  YoloLayout layout;
  s = detect_layout(info.outputs, caps.input.width, caps.input.height, info.metadata, options.layout_hints, &layout);
  if (!s.ok()) {
    print_error(trf(Msg::kCannotLoadModel, localized(s)));
    return kExitUsage;
  }
  std::ostringstream l;
  l << layout;
  row("layout", l.str());
  row("", "recognised from " + layout.source);
  for (const HeadBinding& h : layout.heads) {
    std::ostringstream os;
    os << "stride " << h.stride << " (" << h.grid_w << 'x' << h.grid_h << ")";
    if (layout.family == YoloFamily::kYolov8SplitDfl) {
      os << ": box #" << h.box_output << ", classes #" << h.class_output;
      if (h.sum_output >= 0) os << ", score_sum #" << h.sum_output;
    } else if (layout.family == YoloFamily::kYolov5Split) {
      os << ": head #" << h.box_output << ", anchors";
      for (const auto& a : h.anchors) os << " (" << a[0] << ',' << a[1] << ')';
    }
    row("", os.str());
  }
  const std::vector<std::string> names = options.labels.empty() ? layout.names : options.labels;
  std::string head = std::to_string(layout.num_classes) +
                     (names.empty() ? " (no names: shown as 'class N'; pass --labels)"
                                    : (options.labels.empty() ? " (names from metadata)" : " (names from --labels)"));
  row("classes", head);
  std::string line;
  for (int c = 0; c < layout.num_classes && c < static_cast<int>(names.size()); ++c) {
    const std::string item = std::to_string(c) + " " + names[c];
    if (!line.empty() && line.size() + item.size() > 100) {
      row("", line);
      line.clear();
    }
    line += (line.empty() ? "" : ", ") + item;
  }
  if (!line.empty()) row("", line);
  bool first_meta = true;
  for (const auto& [key, value] : info.metadata) {
    std::string v = value.size() > 100 ? value.substr(0, 97) + "..." : value;
    row(first_meta ? "metadata" : "", key + " = " + v);
    first_meta = false;
  }
  return kExitOk;
}

}  // namespace rkyolo::cli
