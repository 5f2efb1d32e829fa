// rkyolo export: rewrites a stock Ultralytics ONNX export into another
// layout, in a file rknn-toolkit2 and OpenCV 4.6 both accept.
//
//   rkyolo export --model yolov8n.onnx --format rknn-split -o yolov8n-split.onnx
//
// rknn-split: Rockchip's model-zoo head (per stride box (1, 64, H, W), cls
// (1, nc, H, W) after sigmoid, score_sum (1, 1, H, W)), ai.onnx opset 12,
// Ultralytics metadata kept: the NPU-friendly model without Rockchip's fork
// of Ultralytics or the .pt file.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_args.h"
#include "core/onnx_reader.h"
#include "core/onnx_rewrite.h"
#include "output_util.h"
#include "rkyolo/commands.h"
#include "rkyolo/options.h"

namespace rkyolo::cli {

namespace {

constexpr const char* kUsage =
    "usage: rkyolo export --model MODEL.onnx --format rknn-split -o OUTPUT.onnx\n"
    "\n"
    "Writes the Rockchip model-zoo split head of a stock Ultralytics detection export (YOLOv5u, v8, v9,\n"
    "v10, YOLO11): per stride box (1, 64, H, W), cls (1, nc, H, W) after sigmoid and score_sum\n"
    "(1, 1, H, W), opset 12, metadata kept. Convert the result with rknn-toolkit2 for a board, or run it\n"
    "with rkyolo detect. The input file is never modified.\n"
    "\n"
    "  --model FILE     the stock ONNX file (yolo export format=onnx)\n"
    "  --format NAME    rknn-split\n"
    "  -o, --output F   the ONNX file to write\n";

}  // namespace

int cmd_export(int argc, char** argv, int first) {
  Args args;
  const std::vector<OptionSpec> specs = {
      {"--model", true, ""}, {"--format", true, ""}, {"--output", true, "-o"}, {"--verbose", false, "-v"}};
  if (Status s = args.parse("export", argc, argv, first, specs); !s.ok()) {
    print_error(localized(s));
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  if (args.help()) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  const std::string model = args.get("--model"), format = args.get("--format"), out = args.get("--output");
  if (model.empty() || out.empty() || format.empty()) {
    print_error("export needs --model, --format and -o");
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  if (format != "rknn-split") {
    print_error("unknown export format '" + format + "' (rknn-split)");
    return kExitUsage;
  }
  if (same_file(model, out)) {
    print_error("-o '" + out + "' is the input model; rkyolo never overwrites it");
    return kExitUsage;
  }
  if (Status s = check_output_file(out); !s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  std::vector<std::uint8_t> bytes;
  core::OnnxModel graph;
  core::OnnxImportReport report;
  Status s = core::read_file_bytes(model, &bytes);
  if (s.ok()) s = core::read_onnx_model(bytes.data(), bytes.size(), model, &graph);
  if (s.ok()) s = core::validate_onnx_model(graph, model);
  if (s.ok()) s = core::export_rknn_split(&graph, model, &report);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  const std::vector<std::uint8_t> written = core::write_onnx_model(graph);
  s = write_text_atomically(out, std::string(written.begin(), written.end()));
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  // A summary, on standard error: standard output may be the model itself (-o -).
  std::fprintf(stderr, "%s -> %s (%s, ai.onnx opset 12)\n", model.c_str(), out.c_str(), format.c_str());
  for (const auto& r : report.rewrites) std::fprintf(stderr, "  %s\n", r.c_str());
  for (const auto& o : graph.outputs)
    std::fprintf(stderr, "  output %s %s\n", o.name.c_str(), shape_string(o.dims).c_str());
  return kExitOk;
}

}  // namespace rkyolo::cli
