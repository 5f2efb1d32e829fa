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
     "  track    detect and track objects in video (ByteTrack, zones, events)\n"
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
     "  track    检测并跟踪视频中的目标（ByteTrack、区域、事件）\n"
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
     "  --source S           image file, directory or glob ('imgs/*.jpg'), or video: a file\n"
     "                       (.mp4, .mkv, ...), camera (/dev/video0 or 0), rtsp/rtmp/http(s)/tcp\n"
     "                       URL or .streams list; repeatable (images and video not in one run)\n"
     "  --conf X             confidence threshold, 0..1 (default 0.25)\n"
     "  --iou X              NMS IoU threshold, 0..1 (default 0.45)\n"
     "  --max-det N          maximum detections per image (default 300)\n"
     "  --classes LIST       keep only these class ids, e.g. 0,2\n"
     "  --agnostic-nms       class-agnostic NMS\n"
     "  --labels FILE        class names, one per line (else model metadata, else 'class N')\n"
     "  --anchors LIST       YOLOv5 anchors, strides separated by ';': 10,13,16,30,33,23;...\n"
     "  --backend NAME       auto, cpu or rknn (default auto)\n"
     "  --threads N          CPU backend threads\n"
     "  --imgsz N            model input size when the model does not fix it (default 640)\n"
     "  --rknn-lib PATH      librknnrt.so to load (also RKYOLO_RKNN_LIB)\n"
     "  --rknn-io MODE       auto, zero-copy or standard (default auto)\n"
     "  --npu-cores LIST     auto, 0, 1, 2, 0_1, 0_1_2 or all (default auto)\n"
     "  --rknn-input TYPE    zero-copy input: auto, uint8 (the NPU normalizes) or int8\n"
     "  --rknn-mean, --rknn-std  the model's conversion mean/std (default 0 and 255),\n"
     "                       used when the CPU quantizes the input itself\n"
     "  --output DIR         where annotated images, videos and labels go (default runs/detect)\n"
     "  --json FILE          images: all results as one JSON array; video: one JSON line per\n"
     "                       frame ('-' = standard output)\n"
     "  --save-txt           write YOLO txt labels to DIR/labels\n"
     "  --save-conf          add the score to txt labels\n"
     "  --no-save            do not write annotated images or videos\n"
     "  --save               also save annotated video of live sources (cameras, streams)\n"
     "  --vid-stride N       video: process every N-th frame (default 1)\n"
     "  --stream-buffer      live sources: queue frames instead of dropping the oldest\n"
     "  --codec NAME         encoder of annotated video (default h264_rkmpp, else libx264)\n"
     "  --stats FILE         video: per-stream statistics as JSON at the end\n"
     "  --serve [HOST:]PORT  video: web live view (MJPEG per stream, /api/streams); host\n"
     "                       127.0.0.1 unless given; no authentication\n"
     "  --mqtt HOST[:PORT]   video: publish status, detections and stats to an MQTT broker\n"
     "                       (--mqtt-prefix, --mqtt-credentials FILE, --mqtt-max-rate, TLS: README)\n"
     "  --show               video: a window per stream; q or Esc stops like Ctrl-C\n"
     "                       (--show-layout grid: all streams in one window; --show-width N)\n"
     "  --lang en|zh         message language (default from the locale)\n"
     "  -v, --verbose        more detail\n",
     "用法：rkyolo detect --model M --source S [选项]\n"
     "\n"
     "  --model FILE         模型文件（CPU 用 .onnx，NPU 用 .rknn）\n"
     "  --source S           图片文件、目录或通配符（'imgs/*.jpg'），或视频：视频文件\n"
     "                       （.mp4、.mkv 等）、摄像头（/dev/video0 或 0）、rtsp/rtmp/http(s)/tcp\n"
     "                       地址或 .streams 列表；可重复（图片和视频不能在同一次运行中混用）\n"
     "  --conf X             置信度阈值，0..1（默认 0.25）\n"
     "  --iou X              NMS 的 IoU 阈值，0..1（默认 0.45）\n"
     "  --max-det N          每张图片最多检测数（默认 300）\n"
     "  --classes LIST       只保留这些类别编号，例如 0,2\n"
     "  --agnostic-nms       与类别无关的 NMS\n"
     "  --labels FILE        类别名称文件，每行一个（否则用模型元数据，再否则用 'class N'）\n"
     "  --anchors LIST       YOLOv5 锚框，步长之间用 ';' 分隔：10,13,16,30,33,23;...\n"
     "  --backend NAME       auto、cpu 或 rknn（默认 auto）\n"
     "  --threads N          CPU 后端线程数\n"
     "  --imgsz N            模型未固定输入尺寸时使用的输入尺寸（默认 640）\n"
     "  --rknn-lib PATH      要加载的 librknnrt.so（也可用 RKYOLO_RKNN_LIB）\n"
     "  --rknn-io MODE       auto、zero-copy 或 standard（默认 auto）\n"
     "  --npu-cores LIST     auto、0、1、2、0_1、0_1_2 或 all（默认 auto）\n"
     "  --rknn-input TYPE    零拷贝输入：auto、uint8（由 NPU 归一化）或 int8\n"
     "  --rknn-mean, --rknn-std  模型转换时的 mean/std（默认 0 和 255），\n"
     "                       由 CPU 自行量化输入时使用\n"
     "  --output DIR         标注图片、视频和标签的输出目录（默认 runs/detect）\n"
     "  --json FILE          图片：全部结果写成一个 JSON 数组；视频：每帧一行 JSON\n"
     "                       （'-' 表示标准输出）\n"
     "  --save-txt           把 YOLO txt 标签写到 DIR/labels\n"
     "  --save-conf          在 txt 标签中加入分数\n"
     "  --no-save            不保存标注图片或视频\n"
     "  --save               也保存实时输入（摄像头、网络流）的标注视频\n"
     "  --vid-stride N       视频：每 N 帧处理一帧（默认 1）\n"
     "  --stream-buffer      实时输入：排队等待，而不是丢弃最旧的帧\n"
     "  --codec NAME         标注视频的编码器（默认 h264_rkmpp，否则 libx264）\n"
     "  --stats FILE         视频：结束时把各视频流的统计写成 JSON\n"
     "  --serve [HOST:]PORT  视频：网页实时查看（每路一个 MJPEG，/api/streams）；未指定主机时\n"
     "                       只监听 127.0.0.1；没有身份验证\n"
     "  --mqtt HOST[:PORT]   视频：把状态、检测结果和统计发布到 MQTT 代理\n"
     "                       （--mqtt-prefix、--mqtt-credentials FILE、--mqtt-max-rate、TLS：见 README）\n"
     "  --show               视频：每路一个窗口；按 q 或 Esc 停止，与 Ctrl-C 相同\n"
     "                       （--show-layout grid：所有视频流拼在一个窗口；--show-width N）\n"
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
     "usage: rkyolo val --model M --data dataset.yaml [options]\n"
     "\n"
     "Runs the model over a dataset split and scores it the COCO way (mAP50-95, mAP50,\n"
     "mAP75, mAR1/10/100, by object size, per class), with precision/recall at the best\n"
     "F1 and counting accuracy. Unreadable images are reported and left out (exit code 1).\n"
     "\n"
     "  --model FILE         model file (.onnx for the CPU, .rknn for the NPU)\n"
     "  --data FILE          Ultralytics dataset.yaml (path, train/val/test, names)\n"
     "  --split NAME         val, test or train (default val)\n"
     "  --conf X             confidence threshold, 0..1 (default 0.001)\n"
     "  --iou X              NMS IoU threshold, 0..1 (default 0.7)\n"
     "  --max-det N          maximum detections per image (default 300)\n"
     "  --count-conf X       score from which a prediction counts as an object, for the\n"
     "                       counting metrics and the confusion matrix (default 0.25)\n"
     "  --save-preds FILE    write the predictions as COCO results JSON (for 'rkyolo eval')\n"
     "  --plots DIR          write pr_curve.png and confusion_matrix[_normalized].png\n"
     "  --list-outliers N    list the N images with the largest count error and the N\n"
     "                       with the lowest AP50\n"
     "  --json FILE          write every metric as JSON\n"
     "  --labels FILE        class names, one per line (else model metadata)\n"
     "  --anchors LIST       YOLOv5 anchors, strides separated by ';': 10,13,16,30,33,23;...\n"
     "  --backend NAME       auto, cpu or rknn (default auto)\n"
     "  --threads N          CPU backend threads\n"
     "  --imgsz N            model input size when the model does not fix it\n"
     "  --rknn-lib PATH      librknnrt.so to load (also RKYOLO_RKNN_LIB)\n"
     "  --rknn-io MODE       auto, zero-copy or standard (default auto)\n"
     "  --npu-cores LIST     auto, 0, 1, 2, 0_1, 0_1_2 or all (default auto)\n"
     "  --rknn-input TYPE    zero-copy input: auto, uint8 (the NPU normalizes) or int8\n"
     "  --rknn-mean, --rknn-std  the model's conversion mean/std (default 0 and 255),\n"
     "                       used when the CPU quantizes the input itself\n"
     "  --lang en|zh         message language (default from the locale)\n"
     "  -v, --verbose        one line per image, backend and layout details\n",
     "用法：rkyolo val --model M --data dataset.yaml [选项]\n"
     "\n"
     "在数据集的一个划分上运行模型，并按 COCO 方式评分（mAP50-95、mAP50、mAP75、\n"
     "mAR1/10/100，按目标大小、按类别），同时给出最佳 F1 处的精确率/召回率和计数准确度。\n"
     "无法读取的图片会被报告并跳过（退出码 1）。\n"
     "\n"
     "  --model FILE         模型文件（CPU 用 .onnx，NPU 用 .rknn）\n"
     "  --data FILE          Ultralytics 的 dataset.yaml（path、train/val/test、names）\n"
     "  --split NAME         val、test 或 train（默认 val）\n"
     "  --conf X             置信度阈值，0..1（默认 0.001）\n"
     "  --iou X              NMS 的 IoU 阈值，0..1（默认 0.7）\n"
     "  --max-det N          每张图片最多检测数（默认 300）\n"
     "  --count-conf X       预测计为一个目标所需的最低分数，用于计数指标和混淆矩阵\n"
     "                       （默认 0.25）\n"
     "  --save-preds FILE    把预测写成 COCO 结果 JSON（供 'rkyolo eval' 使用）\n"
     "  --plots DIR          生成 pr_curve.png 和 confusion_matrix[_normalized].png\n"
     "  --list-outliers N    列出计数误差最大的 N 张图片和 AP50 最低的 N 张图片\n"
     "  --json FILE          把全部指标写成 JSON\n"
     "  --labels FILE        类别名称文件，每行一个（否则用模型元数据）\n"
     "  --anchors LIST       YOLOv5 锚框，步长之间用 ';' 分隔：10,13,16,30,33,23;...\n"
     "  --backend NAME       auto、cpu 或 rknn（默认 auto）\n"
     "  --threads N          CPU 后端线程数\n"
     "  --imgsz N            模型未固定输入尺寸时使用的输入尺寸\n"
     "  --rknn-lib PATH      要加载的 librknnrt.so（也可用 RKYOLO_RKNN_LIB）\n"
     "  --rknn-io MODE       auto、zero-copy 或 standard（默认 auto）\n"
     "  --npu-cores LIST     auto、0、1、2、0_1、0_1_2 或 all（默认 auto）\n"
     "  --rknn-input TYPE    零拷贝输入：auto、uint8（由 NPU 归一化）或 int8\n"
     "  --rknn-mean, --rknn-std  模型转换时的 mean/std（默认 0 和 255），\n"
     "                       由 CPU 自行量化输入时使用\n"
     "  --lang en|zh         消息语言（默认取自系统区域设置）\n"
     "  -v, --verbose        每张图片一行，并显示后端和布局细节\n"},
    {Msg::kUsageEval,
     "usage: rkyolo eval --data dataset.yaml --preds predictions.json [options]\n"
     "\n"
     "Scores saved predictions (COCO results JSON: image_id = image file stem, category_id =\n"
     "0-based class, bbox = [x, y, w, h] in pixels, score) against a dataset split, without\n"
     "running a model. Predictions for images outside the split are ignored with a warning.\n"
     "\n"
     "  --data FILE          Ultralytics dataset.yaml (path, train/val/test, names)\n"
     "  --preds FILE         the predictions, e.g. from 'rkyolo val --save-preds'\n"
     "  --split NAME         val, test or train (default val)\n"
     "  --count-conf X       score from which a prediction counts as an object, for the\n"
     "                       counting metrics and the confusion matrix (default 0.25)\n"
     "  --plots DIR          write pr_curve.png and confusion_matrix[_normalized].png\n"
     "  --list-outliers N    list the N images with the largest count error and the N\n"
     "                       with the lowest AP50\n"
     "  --json FILE          write every metric as JSON\n"
     "  --lang en|zh         message language (default from the locale)\n"
     "  -v, --verbose        more detail\n",
     "用法：rkyolo eval --data dataset.yaml --preds predictions.json [选项]\n"
     "\n"
     "不运行模型，用数据集的一个划分为保存的预测打分（COCO 结果 JSON：image_id 为图片\n"
     "文件名主干，category_id 为从 0 开始的类别，bbox 为像素坐标 [x, y, w, h]，score）。\n"
     "不属于该划分的图片的预测会被忽略并给出警告。\n"
     "\n"
     "  --data FILE          Ultralytics 的 dataset.yaml（path、train/val/test、names）\n"
     "  --preds FILE         预测文件，例如 'rkyolo val --save-preds' 的输出\n"
     "  --split NAME         val、test 或 train（默认 val）\n"
     "  --count-conf X       预测计为一个目标所需的最低分数，用于计数指标和混淆矩阵\n"
     "                       （默认 0.25）\n"
     "  --plots DIR          生成 pr_curve.png 和 confusion_matrix[_normalized].png\n"
     "  --list-outliers N    列出计数误差最大的 N 张图片和 AP50 最低的 N 张图片\n"
     "  --json FILE          把全部指标写成 JSON\n"
     "  --lang en|zh         消息语言（默认取自系统区域设置）\n"
     "  -v, --verbose        输出更多细节\n"},
    {Msg::kErrorPrefix, "error: ", "错误："},
    {Msg::kWarningPrefix, "warning: ", "警告："},
    {Msg::kUnknownCommand, "unknown command '{}' (run 'rkyolo --help')", "未知命令 '{}'（运行 'rkyolo --help'）"},
    {Msg::kCommandStopped, "the command could not go on: {}", "命令无法继续：{}"},
    {Msg::kRunStopped, "the run stopped at '{}': {}; {} of {} inputs were not processed",
     "运行在 '{}' 处停止：{}；{} 个输入（共 {} 个）未处理"},
    {Msg::kNotProcessed, "not processed: the run stopped earlier ({})", "未处理：运行已提前停止（{}）"},
    {Msg::kOutOfMemory, "out of memory: the command needed more memory than this machine could give",
     "内存不足：该命令需要的内存超出了本机可提供的量"},
    {Msg::kUnknownOption, "unknown option '{}' for '{}' (run 'rkyolo {} --help')",
     "'{}' 不是 '{}' 的选项（运行 'rkyolo {} --help'）"},
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
    {Msg::kImageCorruptOrTooLarge,
     "the {} data is corrupt, or its {}x{} pixels ({} MB) did not fit in the memory available: it cannot be decoded",
     "{} 数据已损坏，或其 {}x{} 像素（{} MB）超出了可用内存：无法解码"},
    {Msg::kDetectFailed, "detection failed on '{}': {}", "在 '{}' 上检测失败：{}"},
    {Msg::kWriteFailed, "cannot write '{}': {}", "无法写入 '{}'：{}"},
    {Msg::kImageLine, "image {}/{} {}: {}x{} {}, {} ms", "图片 {}/{} {}：{}x{} {}，{} 毫秒"},
    {Msg::kNoDetections, "no detections", "没有检测到目标"},
    {Msg::kSpeed, "speed: {} ms preprocess, {} ms inference, {} ms postprocess per image",
     "速度：每张图片预处理 {} 毫秒，推理 {} 毫秒，后处理 {} 毫秒"},
    {Msg::kSummaryOk, "{} images processed", "已处理 {} 张图片"},
    {Msg::kSummaryFailed, "{} of {} images failed", "{1} 张图片中有 {0} 张失败"},
    {Msg::kSavedTo, "results saved to {}", "结果已保存到 {}"},
    {Msg::kJsonWritten, "JSON written to {}", "JSON 已写入 {}"},
    {Msg::kBackendChosen, "{}", "{}"},
    {Msg::kLayoutDetected, "model layout: {}", "模型布局：{}"},
    {Msg::kLabelsFile, "cannot read labels: {}", "无法读取类别名称：{}"},
    {Msg::kNotADirectory, "'{}' exists and is not a directory", "'{}' 已存在且不是目录"},
    // val / eval
    {Msg::kYamlError, "{}:{}: {}", "{}:{}：{}"},
    {Msg::kYamlTab, "a tab indents this line; YAML indentation must use spaces",
     "此行用制表符缩进；YAML 缩进必须使用空格"},
    {Msg::kYamlNotMapping, "expected a mapping of keys such as 'path:', 'val:' and 'names:'",
     "应为由 'path:'、'val:'、'names:' 等键组成的映射"},
    {Msg::kYamlIndent, "unexpected indentation", "缩进不符合预期"},
    {Msg::kYamlExpectedKey, "expected 'key: value'", "应为 '键: 值'"},
    {Msg::kYamlUnclosedQuote, "the quoted text is not closed", "引号没有闭合"},
    {Msg::kYamlTrailing, "unexpected text after the value: '{}'", "值后面有多余的内容：'{}'"},
    {Msg::kYamlUnclosedFlow, "'{}' is not closed", "'{}' 没有闭合"},
    {Msg::kYamlFlowSyntax, "unexpected '{}' in a flow list or mapping", "流式列表或映射中出现了意外的 '{}'"},
    {Msg::kYamlTooDeep, "lists and mappings are nested too deeply", "列表和映射嵌套过深"},
    {Msg::kDatasetNotFound, "dataset file '{}' does not exist", "数据集文件 '{}' 不存在"},
    {Msg::kDatasetRead, "cannot read dataset file '{}': {}", "无法读取数据集文件 '{}'：{}"},
    {Msg::kDatasetBadNc, "{}:{}: 'nc' must be a positive integer", "{}:{}：'nc' 必须是正整数"},
    {Msg::kDatasetNoNames, "{} has neither 'names' nor 'nc', so the classes are unknown",
     "{} 既没有 'names' 也没有 'nc'，无法知道有哪些类别"},
    {Msg::kDatasetBadNames,
     "{}:{}: 'names' must be a list of names or a mapping 0: name, 1: name, ... numbering the classes from 0 without "
     "gaps",
     "{}:{}：'names' 必须是名称列表，或从 0 开始连续编号的映射 0: 名称, 1: 名称, ..."},
    {Msg::kDatasetNcMismatch, "{}: 'nc' is {} but 'names' lists {} classes",
     "{}：'nc' 为 {}，但 'names' 列出了 {} 个类别"},
    {Msg::kDatasetBadSplitValue, "{}:{}: '{}' must be an image folder, a .txt list of images or a list of those",
     "{}:{}：'{}' 必须是图片目录、图片列表 .txt 文件，或由它们组成的列表"},
    {Msg::kDatasetSplitMissing, "the '{}' images '{}' (from {} line {}) do not exist",
     "'{}' 图片 '{}'（来自 {} 第 {} 行）不存在"},
    {Msg::kDatasetListFile, "cannot read the image list '{}': {}", "无法读取图片列表 '{}'：{}"},
    {Msg::kDatasetNoSplit, "{} has no '{}' split (it defines: {})", "{} 中没有 '{}' 划分（已定义：{}）"},
    {Msg::kDatasetNoImages, "no images found for the '{}' split of {}", "{1} 的 '{0}' 划分中没有找到图片"},
    {Msg::kDatasetSummary, "{} split: {} images, {} labels, {} classes ({})",
     "{} 划分：{} 张图片，{} 个标注，{} 个类别（{}）"},
    {Msg::kLabelFileUnreadable, "cannot read label file '{}': {}; the image counts as having no objects",
     "无法读取标注文件 '{}'：{}；该图片按没有目标计算"},
    {Msg::kLabelLineSkipped, "{}:{}: {}; line skipped", "{}:{}：{}；已跳过该行"},
    {Msg::kLabelColumns, "expected 5 values 'class cx cy w h' (or a polygon), found {}",
     "应为 5 个值 'class cx cy w h'（或多边形），实际有 {} 个"},
    {Msg::kLabelNotNumber, "'{}' is not a number", "'{}' 不是数字"},
    {Msg::kLabelClassRange, "class {} is out of range 0..{}", "类别 {} 超出范围 0..{}"},
    {Msg::kLabelCoordRange, "coordinates must lie between 0 and 1 with a positive width and height",
     "坐标必须在 0 到 1 之间，且宽和高为正"},
    {Msg::kLabelMoreProblems, "{} more label problems not shown", "另有 {} 个标注问题未显示"},
    {Msg::kLabelDuplicates, "{} duplicate label lines removed (e.g. in '{}')",
     "已删除 {} 行重复的标注（例如在 '{}' 中）"},
    {Msg::kLabelsMissing, "{} of {} images have no label file (e.g. '{}'); they count as images without objects",
     "{1} 张图片中有 {0} 张没有标注文件（例如 '{2}'）；按没有目标的图片计算"},
    {Msg::kDuplicateImageIds,
     "{} images share their image_id (file name stem) with another image, e.g. '{}' and '{}'; saved predictions cannot "
     "tell them apart",
     "有 {} 张图片与其他图片的 image_id（文件名主干）相同，例如 '{}' 和 '{}'；保存的预测无法区分它们"},
    {Msg::kIsADirectory, "it is a directory", "它是一个目录"},
    {Msg::kNotRegularFile, "it is a {}, not a regular file", "它是 {}，不是普通文件"},
    {Msg::kFileTooLarge, "the file has {} bytes, more than the {} MiB allowed", "文件有 {} 字节，超过了允许的 {} MiB"},
    {Msg::kDatasetTooManyClasses, "{}:{}: {} classes, more than the {} that can be evaluated",
     "{}:{}：{} 个类别，超过了可评估的 {} 个"},
    {Msg::kDatasetNulInPath, "{}:{}: the path contains a NUL character", "{}:{}：路径中含有 NUL 字符"},
    {Msg::kDatasetFolderUnreadable, "cannot list the folder '{}': {}; its images are left out",
     "无法列出目录 '{}'：{}；其中的图片未计入"},
    {Msg::kYamlBadEscape, "'{}' is not a valid escape in a double-quoted string (\\x takes 2 hex digits, \\u 4, \\U 8)",
     "'{}' 不是双引号字符串中有效的转义（\\x 需要 2 位十六进制数字，\\u 4 位，\\U 8 位）"},
    {Msg::kPlotTooManyClasses,
     "no confusion matrix plots for {} classes (at most {} are drawn); the counts are in --json",
     "{} 个类别不绘制混淆矩阵图（最多绘制 {} 个）；计数见 --json"},
    {Msg::kNotWritable, "cannot write in '{}': {}", "无法在 '{}' 中写入：{}"},
    {Msg::kFolderMissing, "the folder '{}' does not exist", "目录 '{}' 不存在"},
    {Msg::kPredsNotFound, "predictions file '{}' does not exist", "预测文件 '{}' 不存在"},
    {Msg::kPredsRead, "cannot read predictions file '{}': {}", "无法读取预测文件 '{}'：{}"},
    {Msg::kPredsJson, "predictions file '{}' is not valid JSON: {}", "预测文件 '{}' 不是有效的 JSON：{}"},
    {Msg::kPredsNotArray,
     "predictions file '{}' must be a JSON array of COCO results, each with image_id, category_id, bbox [x, y, w, h] "
     "and score",
     "预测文件 '{}' 必须是 COCO 结果的 JSON 数组，每项包含 image_id、category_id、bbox [x, y, w, h] 和 score"},
    {Msg::kPredsBadEntry, "predictions file '{}', result [{}]: {}", "预测文件 '{}' 的第 [{}] 项：{}"},
    {Msg::kPredsBadField, "'{}' must be {}", "'{}' 必须是{}"},
    {Msg::kPredsNotObject, "each result must be a JSON object", "每一项都必须是 JSON 对象"},
    {Msg::kPredsTypeImageId, "an integer or a string (the image file stem)", "整数或字符串（图片文件名主干）"},
    {Msg::kPredsTypeCategory, "an integer (the 0-based class index)", "整数（从 0 开始的类别编号）"},
    {Msg::kPredsTypeBbox, "4 finite numbers [x, y, width, height] with width and height >= 0",
     "4 个有限数字 [x, y, 宽, 高]，且宽和高 >= 0"},
    {Msg::kPredsTypeScore, "a finite number", "有限数字"},
    {Msg::kPredsUnknownImages,
     "{} predictions refer to images that are not in the '{}' split (e.g. image_id {}); they are ignored",
     "有 {} 个预测对应的图片不在 '{}' 划分中（例如 image_id {}）；已忽略"},
    {Msg::kPredsNoneMatch,
     "none of the {} predictions in '{}' refers to an image of the '{}' split (e.g. image_id {}); image_id must be the "
     "image file name without extension",
     "'{1}' 中的 {0} 个预测没有一个对应 '{2}' 划分中的图片（例如 image_id {3}）；image_id "
     "必须是不含扩展名的图片文件名"},
    {Msg::kPredsBadClass, "{} predictions have a class outside 0..{} (e.g. {}); they are ignored",
     "有 {} 个预测的类别超出 0..{}（例如 {}）；已忽略"},
    {Msg::kPredsWritten, "predictions written to {}", "预测已写入 {}"},
    {Msg::kReportMaps, "mAP50-95 {}, mAP50 {}, mAP75 {}; by object size: small {}, medium {}, large {}",
     "mAP50-95 {}，mAP50 {}，mAP75 {}；按目标大小：小 {}，中 {}，大 {}"},
    {Msg::kReportMars,
     "mAR1 {}, mAR10 {}, mAR100 {}; by object size: small {}, medium {}, large {} (average recall keeping the best 1, "
     "10, 100 predictions per image and class)",
     "mAR1 {}，mAR10 {}，mAR100 {}；按目标大小：小 {}，中 {}，大 {}（平均召回率，每张图片每个类别保留最好的 1、10、100 "
     "个预测）"},
    {Msg::kReportPr, "precision {} and recall {} at confidence {} (best mean F1 {})",
     "置信度 {2} 时精确率 {0}、召回率 {1}（最佳平均 F1 {3}）"},
    {Msg::kReportCounting,
     "counting (score >= {}): R² {}, mean absolute error {} objects per image (mean error {}), {} labelled, {} counted",
     "计数（分数 >= {}）：R² {}，平均绝对误差为每张图片 {} 个目标（平均误差 {}），标注 {} 个，计数 {} 个"},
    {Msg::kOutliersCount, "images with the largest count error (score >= {}):", "计数误差最大的图片（分数 >= {}）："},
    {Msg::kOutlierCountLine, "{}: {} labelled, {} counted ({})", "{}：标注 {} 个，计数 {} 个（{}）"},
    {Msg::kOutliersAp, "images with the lowest AP50:", "AP50 最低的图片："},
    {Msg::kOutlierApLine, "{}: AP50 {} ({} labels, {} predictions)", "{}：AP50 {}（{} 个标注，{} 个预测）"},
    {Msg::kOutliersNone, "none", "无"},
    {Msg::kPlotsSaved, "plots saved to {}", "图表已保存到 {}"},
    {Msg::kClassCountMismatch,
     "the model has {} classes but the dataset {}; predictions of classes the dataset does not have are ignored",
     "模型有 {} 个类别，而数据集有 {} 个；数据集中没有的类别的预测将被忽略"},
    {Msg::kValImageLine, "image {}/{} {}: {} labels, {} predictions, {} ms",
     "图片 {}/{} {}：{} 个标注，{} 个预测，{} 毫秒"},
    {Msg::kEvalNoImages, "no image could be evaluated", "没有可以评估的图片"},
    {Msg::kImageSizeUnknown, "its size cannot be read", "无法读取其尺寸"},
    // detect on video
    {Msg::kVideoStreamName, "stream {} '{}'", "视频流 {} '{}'"},
    {Msg::kVideoHardware, "hardware", "硬件"},
    {Msg::kVideoSoftware, "software", "软件"},
    {Msg::kVideoStreamFailed, "{} failed: {}", "{} 失败：{}"},
    {Msg::kVideoStreamReconnecting, "{} was lost, reconnecting: {}", "{} 已断开，正在重连：{}"},
    {Msg::kVideoStreamOnline, "{}: {}x{} at {} fps, decoder {}", "{}：{}x{}，{} fps，解码器 {}"},
    {Msg::kVideoStreamBack, "{} is back: frames flow again after reconnecting", "{} 已恢复：重连后画面重新到达"},
    {Msg::kVideoFrameFailed, "{} frame {}: {}", "{} 第 {} 帧：{}"},
    {Msg::kVideoStreamLine,
     "{}: {}, {} decoded, {} processed, {} dropped, {} failed, {} reconnects, {} fps, latency p50 {} ms p99 {} ms, "
     "decoder {}",
     "{}：{}，解码 {} 帧，处理 {} 帧，丢弃 {} 帧，失败 {} 帧，重连 {} 次，{} fps，延迟 p50 {} 毫秒 p99 {} 毫秒，"
     "解码器 {}"},
    {Msg::kVideoStreamWindowLine,
     "{}: {}, in the last {} s: {} fps in, {} fps out, {} decoded, {} processed, {} dropped, {} failed, latency p50 {} "
     "ms p99 {} ms",
     "{}：{}，最近 {} 秒：输入 {} fps，输出 {} fps，解码 {} 帧，处理 {} 帧，丢弃 {} 帧，失败 {} 帧，延迟 p50 {} 毫秒 "
     "p99 {} 毫秒"},
    {Msg::kVideoRunLine, "run: {} s wall, {} s CPU, workers: {}", "运行：墙钟 {} 秒，CPU {} 秒，工作线程：{}"},
    {Msg::kVideoSavedTo, "annotated video saved to {}", "标注视频已保存到 {}"},
    {Msg::kVideoInterrupted,
     "interrupted: finishing the queued frames and the output files (press Ctrl-C again to quit at once)",
     "已中断：正在处理已排队的帧并完成输出文件（再按一次 Ctrl-C 立即退出）"},
    {Msg::kVideoMixed, "image sources ('{}') and video sources ('{}') cannot be mixed in one run: run them separately",
     "图片输入（'{}'）和视频输入（'{}'）不能在同一次运行中混用：请分开运行"},
    {Msg::kVideoUnavailable,
     "'{}' is a video source, but this rkyolo was built without video support (RKYOLO_WITH_FFMPEG=OFF)",
     "'{}' 是视频输入，但此 rkyolo 构建时未启用视频支持（RKYOLO_WITH_FFMPEG=OFF）"},
    {Msg::kVideoStreamsFailed, "{} of {} streams failed", "{1} 个视频流中有 {0} 个失败"},
    {Msg::kVideoImagesOnly, "{} applies to images only and is ignored for video", "{} 只用于图片，对视频无效"},
    {Msg::kVideoSummaryOk, "{} frames processed from {} streams", "已处理 {1} 个视频流的 {0} 帧"},
    {Msg::kVideoMoreFrameErrors, "{}: further frame errors are counted in the summary, not shown",
     "{}：后续的帧错误只计入汇总，不再显示"},
    {Msg::kContradictingOptions, "{} and {} contradict each other: give one of them",
     "{} 和 {} 相互矛盾：只能给出其中一个"},
    // track
    {Msg::kUsageTrack,
     "usage: rkyolo track --model M --source VIDEO [options]\n"
     "\n"
     "Detects objects in video sources like 'rkyolo detect' (all of its video options apply:\n"
     "see 'rkyolo detect --help') and follows each object with ByteTrack: every detection\n"
     "gets a track_id, the annotated video draws the id and a short trail.\n"
     "\n"
     "  --tracker NAME           bytetrack (the only one; default)\n"
     "  --track-high-thresh X    first association from this score (default 0.5)\n"
     "  --track-low-thresh X     second association from this score (default 0.1); the\n"
     "                           model runs at this confidence unless --conf is given\n"
     "  --new-track-thresh X     a new track starts from this score (default 0.6)\n"
     "  --match-iou X            first association: smallest IoU x score (default 0.2,\n"
     "                           ByteTrack's match_thresh 0.8)\n"
     "  --track-buffer N         frames a lost track is kept, at 30 fps; scaled by the\n"
     "                           stream's frame rate (default 30)\n"
     "  --zones FILE             zones and counting lines (JSON); one file for every\n"
     "                           stream, or one per --source\n"
     "  --events FILE            new/update/end events as JSON lines ('-' = standard output)\n",
     "用法：rkyolo track --model M --source 视频 [选项]\n"
     "\n"
     "像 'rkyolo detect' 一样检测视频输入中的目标（其全部视频选项均适用：\n"
     "见 'rkyolo detect --help'），并用 ByteTrack 跟踪每个目标：每个检测结果\n"
     "带有 track_id，标注视频画出编号和一小段轨迹。\n"
     "\n"
     "  --tracker NAME           bytetrack（目前唯一；默认）\n"
     "  --track-high-thresh X    从此分数起参加第一轮关联（默认 0.5）\n"
     "  --track-low-thresh X     从此分数起参加第二轮关联（默认 0.1）；\n"
     "                           未给出 --conf 时模型以此置信度运行\n"
     "  --new-track-thresh X     从此分数起才开始新的轨迹（默认 0.6）\n"
     "  --match-iou X            第一轮关联的最小 IoU x 分数（默认 0.2，\n"
     "                           即 ByteTrack 的 match_thresh 0.8）\n"
     "  --track-buffer N         丢失的轨迹保留的帧数（按 30 fps 计），\n"
     "                           按视频流的帧率缩放（默认 30）\n"
     "  --zones FILE             区域和计数线（JSON）；一个文件用于所有视频流，\n"
     "                           或每个 --source 一个\n"
     "  --events FILE            new/update/end 事件写成 JSON 行（'-' 表示标准输出）\n"},
    {Msg::kTrackNeedsVideo, "'{}' is not a video source: track follows objects in video files, cameras and streams",
     "'{}' 不是视频输入：track 只跟踪视频文件、摄像头和网络流中的目标"},
    {Msg::kLiveNeedsVideo, "{} needs video sources: '{}' is a still image (live outputs show and publish streams)",
     "{} 需要视频输入：'{}' 是静态图像（实时输出只用于视频流）"},
    {Msg::kTrackStreamSummary, "{}: {} tracks", "{}：{} 条轨迹"},
    {Msg::kTrackLineCount, "line '{}': in {}, out {}", "计数线 '{}'：进 {}，出 {}"},
    {Msg::kTrackZoneCount, "zone '{}': {} now, at most {}, {} entries",
     "区域 '{}'：当前 {} 个，最多 {} 个，进入 {} 次"},
    {Msg::kSaveConfNeedsSaveTxt, "--save-conf has no effect without --save-txt",
     "没有 --save-txt 时 --save-conf 不起作用"},
};

}  // namespace

Lang language_from_locale() {
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return std::string_view(v).substr(0, 2) == "zh" ? Lang::kZh : Lang::kEn;
  }
  return Lang::kEn;
}

void set_language(Lang lang) {
  g_lang = lang;
}
Lang language() {
  return g_lang;
}

bool parse_language(std::string_view text, Lang* out) {
  if (text == "en")
    *out = Lang::kEn;
  else if (text == "zh" || text == "zh-CN" || text == "zh_CN")
    *out = Lang::kZh;
  else
    return false;
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
