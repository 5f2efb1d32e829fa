// rkyolo CLI: Chinese for the library's own sentences.
//
// The library (core, backends) reports errors in English: they are logged,
// searched for and embedded in JSON. The CLI's frames ("cannot use the model:
// {}") are translated in i18n.cc; this table translates the details inside
// them that users meet most (model files, runtimes, layouts, RKNN return
// codes), so a zh user does not get a Chinese frame around an English
// sentence. Patterns are applied in order; names, paths, shapes and codes are
// kept as they are. A sentence with no entry stays English.
#include <regex>
#include <string>
#include <vector>

#include "rkyolo/i18n.h"

namespace rkyolo::cli {
namespace {

struct Rule {
  std::regex pattern;
  const char* zh;
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> table = [] {
    const std::pair<const char*, const char*> entries[] = {
        // files
        {R"('([^']*)' does not exist)", "'$1' 不存在"},
        {R"('([^']*)' is a directory, not a file)", "'$1' 是目录，不是文件"},
        {R"(cannot access ')", "无法访问 '"},
        {R"(cannot open ')", "无法打开 '"},
        {R"(cannot read ')", "无法读取 '"},
        // ONNX
        {R"('([^']*)' is not a valid ONNX model)", "'$1' 不是有效的 ONNX 模型"},
        {R"(the file is truncated or damaged)", "文件被截断或已损坏"},
        {R"(a field runs past the end of the data)", "有字段超出了数据末尾"},
        {R"(no model graph found; is it an ONNX file\?)", "找不到模型计算图；这是 ONNX 文件吗？"},
        {R"(the graph has no inputs)", "计算图没有输入"},
        {R"(the graph has no outputs)", "计算图没有输出"},
        {R"(OpenCV DNN cannot load ')", "OpenCV DNN 无法加载 '"},
        {R"(OpenCV DNN failed to run ')", "OpenCV DNN 无法运行 '"},
        {R"(\(no rkyolo rewrite applies to this graph\))", "（rkyolo 的导入改写不适用于此计算图）"},
        {R"(is not supported yet)", "暂不支持"},
        {R"(has a broken graph)", "的计算图已损坏"},
        // layouts
        {R"(unrecognised YOLO output layout)", "无法识别的 YOLO 输出布局"},
        {R"(; rkyolo understands )", "；rkyolo 支持 "},
        {R"(the model input size is unknown or dynamic)", "模型输入尺寸未知或是动态的"},
        {R"(export it with a fixed size such as 640x640)", "请以固定尺寸（如 640x640）导出"},
        {R"(the model's task is '([^']*)'; rkyolo runs detection models only)",
         "模型的任务是 '$1'；rkyolo 只运行检测模型"},
        {R"(pass --labels)", "请用 --labels 指定类别名"},
        // backends and the RKNN runtime
        {R"(no backend can run '([^']*)' here)", "没有后端能在这里运行 '$1'"},
        {R"(runs ONNX models, not \.rknn)", "只运行 ONNX 模型，不运行 .rknn"},
        {R"(cannot load the RKNN runtime ')", "无法加载 RKNN 运行时 '"},
        {R"(cannot open shared object file: No such file or directory)", "找不到该共享库文件"},
        {R"(\(install librknnrt\.so, or point --rknn-lib / RKYOLO_RKNN_LIB at it\))",
         "（请安装 librknnrt.so，或用 --rknn-lib / RKYOLO_RKNN_LIB 指定其路径）"},
        {R"('([^']*)' is not a usable RKNN runtime: it lacks )", "'$1' 不是可用的 RKNN 运行时，缺少符号 "},
        {R"(cannot load '([^']*)' on the NPU: )", "无法在 NPU 上加载 '$1'："},
        {R"(zero-copy I/O was requested but is not possible with '([^']*)': )", "要求零拷贝 I/O，但 '$1' 无法使用："},
        {R"(zero-copy I/O is not available \()", "零拷贝 I/O 不可用（"},
        {R"(\); using the standard copy path with identical results)", "）；改用标准拷贝路径，结果完全相同"},
        {R"(the runtime lacks rknn_create_mem/rknn_set_io_mem)", "运行时缺少 rknn_create_mem/rknn_set_io_mem"},
        {R"(the runtime cannot report native tensor attributes)", "运行时无法报告原生张量属性"},
        {R"(rknn_create_mem\((\d+) bytes\) for the input returned NULL)",
         "为输入调用 rknn_create_mem($1 字节) 返回 NULL"},
        {R"(rknn_create_mem\((\d+) bytes\) for output '([^']*)' returned NULL)",
         "为输出 '$2' 调用 rknn_create_mem($1 字节) 返回 NULL"},
        {R"(in-place decoding needs int8 outputs)", "原地解码需要 int8 输出"},
        {R"(the model's int8 input quantization \(scale ([^,]+), zero-point ([^)]+)\) does not fit mean (\S+) / std (\S+) on channel (\d) \(pixel 0 -> ([^,]+), 255 -> (\S+) instead of about -128 and 127\); pass the mean/std the model was converted with \(--rknn-mean, --rknn-std\))",
         "模型的 int8 输入量化（scale $1，零点 $2）与通道 $5 的 mean $3 / std $4 不符（像素 0 -> $6，255 -> "
         "$7，而不是约 -128 和 127）；请用 --rknn-mean、--rknn-std 传入模型转换时的 mean/std"},
        {R"( returned (RKNN_[A-Z_]+|unknown RKNN error) \()", " 返回 $1 ("},
        {R"(; runtime )", "；运行时 "},
        {R"(, runtime )", "，运行时 "},
        {R"(, driver unknown)", "，驱动版本未知"},
        {R"(, driver )", "，驱动 "},
        {R"(the runtime reported a generic failure)", "运行时报告了一般性失败"},
        {R"(the NPU did not finish in time)", "NPU 未能按时完成"},
        {R"(the NPU device is unavailable \(driver not loaded, or no permission on /dev/dri or /dev/rknpu\))",
         "NPU 设备不可用（驱动未加载，或没有 /dev/dri 或 /dev/rknpu 的访问权限）"},
        {R"(the runtime could not allocate memory)", "运行时无法分配内存"},
        {R"(a parameter was rejected by the runtime)", "运行时拒绝了某个参数"},
        {R"(the model is invalid, or was built by a newer RKNN toolkit than this runtime \(update librknnrt\.so or rebuild the model\))",
         "模型无效，或由比此运行时更新的 RKNN 工具包生成（请更新 librknnrt.so 或重新转换模型）"},
        {R"(the context is invalid or was destroyed)", "上下文无效或已销毁"},
        {R"(the input was rejected)", "输入被拒绝"},
        {R"(the output was rejected)", "输出被拒绝"},
        {R"(the model does not match this device)", "模型与此设备不匹配"},
        {R"(the model was built for another Rockchip platform \(check --target-platform\))",
         "模型是为另一款 Rockchip 平台生成的（请检查 --target-platform）"},
        {R"(the runtime returned an unexpected code)", "运行时返回了意外的代码"},
        {R"(--save-conf has no effect without --save-txt)", "没有 --save-txt 时 --save-conf 不起作用"},
        {R"(labels file ')", "类别名称文件 '"},
        // images
        {R"(the image is empty)", "图像为空"},
    };
    std::vector<Rule> out;
    for (const auto& [pattern, zh] : entries) out.push_back(Rule{std::regex(pattern), zh});
    return out;
  }();
  return table;
}

}  // namespace

std::string localize_detail(std::string_view text) {
  std::string out(text);
  if (language() != Lang::kZh) return out;
  for (const Rule& rule : rules()) out = std::regex_replace(out, rule.pattern, rule.zh);
  return out;
}

}  // namespace rkyolo::cli
