#include "rkyolo/i18n.h"

#include <cstdlib>

namespace rkyolo::cli {

namespace {

Lang g_lang = Lang::kEn;

struct Entry {
  Msg id;
  const char* en;
  const char* zh;
};

// Usage texts list every option; keep them in step with cli_args/options.
const Entry kCatalog[] = {
    {Msg::kUsage,
     "rkyolo: YOLO object detection on Rockchip NPUs (and the CPU)\n"
     "\n"
     "usage: rkyolo [--lang en|zh] <command> [options]\n"
     "\n"
     "commands:\n"
     "  detect   detect objects in images, folders and globs\n"
     "  info     describe a model: inputs, outputs, detected YOLO layout\n"
     "  val      evaluate a model on a dataset (mAP, counting accuracy)\n"
     "  eval     score a saved predictions file against a dataset\n"
     "  version  print the version\n"
     "\n"
     "Run 'rkyolo <command> --help' for the options of a command.\n"
     "Exit codes: 0 success, 1 some inputs failed, 2 bad options or unusable model/runtime.\n",
     "rkyolo：在瑞芯微 NPU（以及 CPU）上运行 YOLO 目标检测\n"
     "\n"
     "用法：rkyolo [--lang en|zh] <命令> [选项]\n"
     "\n"
     "命令：\n"
     "  detect   检测图片、文件夹和通配符中的目标\n"
     "  info     描述模型：输入、输出、识别出的 YOLO 布局\n"
     "  val      在数据集上评估模型（mAP、计数准确度）\n"
     "  eval     用数据集为保存的预测文件打分\n"
     "  version  显示版本\n"
     "\n"
     "运行 'rkyolo <命令> --help' 查看该命令的选项。\n"
     "退出码：0 成功，1 部分输入失败，2 选项错误或模型/运行时不可用。\n"},
    {Msg::kUsageDetect,
     "usage: rkyolo detect --model M --source S [options]\n"
     "\n"
     "  --model FILE         model file (.onnx for the CPU, .rknn for the NPU)\n"
     "  --source S           image file, directory or glob ('imgs/*.jpg'); repeatable\n"
     "  --conf X             confidence threshold, 0..1 (default 0.25)\n"
     "  --iou X              NMS IoU threshold, 0..1 (default 0.45)\n"
     "  --max-det N          maximum detections per image (default 300)\n"
     "  --classes LIST       keep only these class ids, e.g. 0,2\n"
     "  --agnostic-nms       class-agnostic NMS\n"
     "  --labels FILE        class names, one per line (else model metadata, else 'class N')\n"
     "  --anchors LIST       YOLOv5 anchors, strides separated by ';': 10,13,16,30,33,23;...\n"
     "  --backend NAME       auto, cpu or rknn (default auto)\n"
     "  --threads N          CPU backend threads\n"
     "  --rknn-lib PATH      librknnrt.so to load (also RKYOLO_RKNN_LIB)\n"
     "  --rknn-io MODE       auto, zero-copy or standard (default auto)\n"
     "  --npu-cores LIST     auto, 0, 1, 2 or 0_1_2 (default auto)\n"
     "  --output DIR         where annotated images and labels go (default runs/detect)\n"
     "  --json FILE          write all results as a JSON array\n"
     "  --save-txt           write YOLO txt labels to DIR/labels\n"
     "  --save-conf          add the score to txt labels\n"
     "  --no-save            do not write annotated images\n"
     "  --lang en|zh         message language (default from the locale)\n"
     "  -v, --verbose        more detail\n",
     "用法：rkyolo detect --model M --source S [选项]\n"
     "\n"
     "  --model FILE         模型文件（CPU 用 .onnx，NPU 用 .rknn）\n"
     "  --source S           图片文件、目录或通配符（'imgs/*.jpg'）；可重复\n"
     "  --conf X             置信度阈值，0..1（默认 0.25）\n"
     "  --iou X              NMS 的 IoU 阈值，0..1（默认 0.45）\n"
     "  --max-det N          每张图片最多检测数（默认 300）\n"
     "  --classes LIST       只保留这些类别编号，例如 0,2\n"
     "  --agnostic-nms       与类别无关的 NMS\n"
     "  --labels FILE        类别名称文件，每行一个（否则用模型元数据，再否则用 'class N'）\n"
     "  --anchors LIST       YOLOv5 锚框，步长之间用 ';' 分隔：10,13,16,30,33,23;...\n"
     "  --backend NAME       auto、cpu 或 rknn（默认 auto）\n"
     "  --threads N          CPU 后端线程数\n"
     "  --rknn-lib PATH      要加载的 librknnrt.so（也可用 RKYOLO_RKNN_LIB）\n"
     "  --rknn-io MODE       auto、zero-copy 或 standard（默认 auto）\n"
     "  --npu-cores LIST     auto、0、1、2 或 0_1_2（默认 auto）\n"
     "  --output DIR         标注图片和标签的输出目录（默认 runs/detect）\n"
     "  --json FILE          把全部结果写成 JSON 数组\n"
     "  --save-txt           把 YOLO txt 标签写到 DIR/labels\n"
     "  --save-conf          在 txt 标签中加入分数\n"
     "  --no-save            不保存标注图片\n"
     "  --lang en|zh         消息语言（默认取自系统区域设置）\n"
     "  -v, --verbose        输出更多细节\n"},
    {Msg::kUsageInfo,
     "usage: rkyolo info --model M [--backend auto|cpu|rknn] [--labels FILE] [--anchors LIST]\n"
     "                   [--rknn-lib PATH] [--lang en|zh] [-v]\n"
     "\n"
     "Prints the runtime, every input and output (name, shape, type, quantization)\n"
     "and the YOLO layout rkyolo detected (family, strides, class count, anchors).\n",
     "用法：rkyolo info --model M [--backend auto|cpu|rknn] [--labels FILE] [--anchors LIST]\n"
     "                   [--rknn-lib PATH] [--lang en|zh] [-v]\n"
     "\n"
     "显示运行时、每个输入和输出（名称、形状、类型、量化参数）\n"
     "以及 rkyolo 识别出的 YOLO 布局（系列、步长、类别数、锚框）。\n"},
    {Msg::kUsageVal,
     "usage: rkyolo val --model M --data dataset.yaml [--split val|test|train] [--conf 0.001]\n"
     "                  [--iou 0.7] [--max-det 300] [--save-preds FILE] [--plots DIR]\n"
     "                  [--list-outliers N] [--backend ...] [--json FILE] [--lang en|zh] [-v]\n",
     "用法：rkyolo val --model M --data dataset.yaml [--split val|test|train] [--conf 0.001]\n"
     "                  [--iou 0.7] [--max-det 300] [--save-preds FILE] [--plots DIR]\n"
     "                  [--list-outliers N] [--backend ...] [--json FILE] [--lang en|zh] [-v]\n"},
    {Msg::kUsageEval,
     "usage: rkyolo eval --data dataset.yaml --preds predictions.json [--split val|test|train]\n"
     "                   [--plots DIR] [--list-outliers N] [--json FILE] [--lang en|zh]\n",
     "用法：rkyolo eval --data dataset.yaml --preds predictions.json [--split val|test|train]\n"
     "                   [--plots DIR] [--list-outliers N] [--json FILE] [--lang en|zh]\n"},
    {Msg::kErrorPrefix, "error: ", "错误："},
    {Msg::kWarningPrefix, "warning: ", "警告："},
    {Msg::kUnknownCommand, "unknown command '{}' (run 'rkyolo --help')", "未知命令 '{}'（运行 'rkyolo --help'）"},
    {Msg::kUnknownOption, "unknown option '{}' for '{}' (run 'rkyolo {} --help')", "'{}' 不是 '{}' 的选项（运行 'rkyolo {} --help'）"},
    {Msg::kMissingValue, "option '{}' needs a value", "选项 '{}' 需要一个值"},
    {Msg::kBadValue, "invalid value '{}' for {}: {}", "{1} 的值 '{0}' 无效：{2}"},
    {Msg::kMissingOption, "missing required option {}", "缺少必需的选项 {}"},
    {Msg::kUnexpectedArgument, "unexpected argument '{}'", "多余的参数 '{}'"},
    {Msg::kCannotLoadModel, "cannot use the model: {}", "无法使用模型：{}"},
    {Msg::kNoSources, "no images found in {}", "在 {} 中没有找到图片"},
    {Msg::kSourceNotFound, "source '{}' does not exist", "输入 '{}' 不存在"},
    {Msg::kImageFailed, "cannot read image '{}': {}", "无法读取图片 '{}'：{}"},
    {Msg::kImageEmpty, "the file is empty", "文件为空"},
    {Msg::kImageNotImage, "not an image (unrecognised file format)", "不是图片（无法识别的文件格式）"},
    {Msg::kImageTruncated, "the {} data is truncated", "{} 数据被截断"},
    {Msg::kImageCorrupt, "the {} data is corrupt and cannot be decoded", "{} 数据已损坏，无法解码"},
    {Msg::kImageTooLarge, "the image is too large ({} pixels)", "图片太大（{} 像素）"},
    {Msg::kDetectFailed, "detection failed on '{}': {}", "在 '{}' 上检测失败：{}"},
    {Msg::kWriteFailed, "cannot write '{}': {}", "无法写入 '{}'：{}"},
    {Msg::kImageLine, "image {}/{} {}: {}x{} {}, {} ms", "图片 {}/{} {}：{}x{} {}，{} 毫秒"},
    {Msg::kNoDetections, "no detections", "没有检测到目标"},
    {Msg::kSpeed, "speed: {} ms preprocess, {} ms inference, {} ms postprocess per image", "速度：每张图片预处理 {} 毫秒，推理 {} 毫秒，后处理 {} 毫秒"},
    {Msg::kSummaryOk, "{} images processed", "已处理 {} 张图片"},
    {Msg::kSummaryFailed, "{} of {} images failed", "{1} 张图片中有 {0} 张失败"},
    {Msg::kSavedTo, "results saved to {}", "结果已保存到 {}"},
    {Msg::kJsonWritten, "JSON written to {}", "JSON 已写入 {}"},
    {Msg::kBackendChosen, "{}", "{}"},
    {Msg::kLayoutDetected, "model layout: {}", "模型布局：{}"},
    {Msg::kLabelsFile, "cannot read labels: {}", "无法读取类别名称：{}"},
    {Msg::kNotADirectory, "'{}' exists and is not a directory", "'{}' 已存在且不是目录"},
};

}  // namespace

Lang language_from_locale() {
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return std::string_view(v).substr(0, 2) == "zh" ? Lang::kZh : Lang::kEn;
  }
  return Lang::kEn;
}

void set_language(Lang lang) { g_lang = lang; }
Lang language() { return g_lang; }

bool parse_language(std::string_view text, Lang* out) {
  if (text == "en") *out = Lang::kEn;
  else if (text == "zh" || text == "zh-CN" || text == "zh_CN") *out = Lang::kZh;
  else return false;
  return true;
}

const char* tr(Msg id) {
  for (const Entry& e : kCatalog)
    if (e.id == id) return g_lang == Lang::kZh ? e.zh : e.en;
  return "?";
}

std::string format(std::string_view pattern, const std::vector<std::string>& args) {
  // "{}" takes the next argument, "{N}" argument N (for word order in Chinese).
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view inner = pattern.substr(i + 1, close - i - 1);
        std::size_t index = next;
        bool ok = inner.empty();
        if (!inner.empty() && inner.size() <= 2 && inner.find_first_not_of("0123456789") == std::string_view::npos) {
          index = static_cast<std::size_t>(std::stoi(std::string(inner)));
          ok = true;
        }
        if (ok) {
          if (inner.empty()) ++next;
          if (index < args.size()) out += args[index];
          i = close;
          continue;
        }
      }
    }
    out += pattern[i];
  }
  return out;
}

}  // namespace rkyolo::cli
