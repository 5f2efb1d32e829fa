// rknn-emu: the emulator's model tool.
//
//   rknn-emu convert MODEL.onnx --target rk3588 --calib DIR -o MODEL.rknn
//                    [--mean 0,0,0 --std 255,255,255] [--max-images 100]
//                    [--toolkit-version 2.3.2]
//   rknn-emu info MODEL.rknn
//
// convert plays the part of Rockchip's toolkit: it checks the ONNX graph runs,
// calibrates per-tensor int8 affine quantization on the images in DIR with
// min/max (the vendor toolkit's default), letterboxed like rkyolo does, and
// writes the emulator's container.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/letterbox.h"
#include "core/onnx_reader.h"
#include "core/onnx_rewrite.h"
#include "core/user_text.h"
#include "emulator/container.h"
#include "emulator/profiles.h"

namespace fs = std::filesystem;

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "rknn-emu: error: %s\n", message.c_str());
  return 2;
}

void usage() {
  std::fputs(
      "usage: rknn-emu convert MODEL.onnx --target TARGET --calib DIR -o MODEL.rknn\n"
      "                        [--mean 0,0,0] [--std 255,255,255] [--max-images 100] [--toolkit-version 2.3.2]\n"
      "       rknn-emu info MODEL.rknn\n"
      "targets: ",
      stdout);
  std::printf("%s\n", emu::profile_names().c_str());
}

// Per-tensor affine int8 from a calibrated range that always contains 0.
void affine_from_range(float lo, float hi, float* scale, std::int32_t* zp) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  *scale = (hi - lo) / 255.0f;
  if (!(*scale > 0)) *scale = 1.0f / 255.0f;
  *zp = static_cast<std::int32_t>(std::clamp<long>(std::lround(-128.0f - lo / *scale), -128, 127));
}

int convert(int argc, char** argv) {
  std::string model, target, calib, out, toolkit = "2.3.2";
  float mean[3] = {0, 0, 0}, stdv[3] = {255, 255, 255};
  int max_images = 100;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string* dst) {
      if (i + 1 >= argc) return false;
      *dst = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--target") {
      if (!value(&target)) return fail("--target needs a value");
    } else if (a == "--calib") {
      if (!value(&calib)) return fail("--calib needs a directory");
    } else if (a == "-o" || a == "--output") {
      if (!value(&out)) return fail("-o needs a file name");
    } else if (a == "--mean") {
      if (!value(&v) || !rkyolo::core::parse_channel_triplet(v, mean))
        return fail("--mean needs one or three numbers, e.g. 0,0,0");
    } else if (a == "--std") {
      if (!value(&v) || !rkyolo::core::parse_channel_triplet(v, stdv))
        return fail("--std needs one or three numbers, e.g. 255,255,255");
      for (float s : stdv)
        if (!(s > 0)) return fail("--std values must be positive");
    } else if (a == "--max-images") {
      if (!value(&v) || (max_images = std::atoi(v.c_str())) < 1) return fail("--max-images needs a positive number");
    } else if (a == "--toolkit-version") {
      if (!value(&toolkit)) return fail("--toolkit-version needs a value");
    } else if (!a.empty() && a[0] == '-') {
      return fail("unknown option '" + a + "'");
    } else if (model.empty()) {
      model = a;
    } else {
      return fail("unexpected argument '" + a + "'");
    }
  }
  if (model.empty()) return fail("no ONNX model given");
  if (target.empty()) return fail("--target is required (" + emu::profile_names() + ")");
  const emu::TargetProfile* profile = emu::find_profile(target);
  if (profile == nullptr) return fail("unknown target '" + target + "' (" + emu::profile_names() + ")");
  if (calib.empty()) return fail("--calib DIR is required: int8 quantization is calibrated on real images");
  if (out.empty()) return fail("-o OUTPUT.rknn is required");

  rkyolo::core::OnnxModelInfo onnx;
  std::vector<std::uint8_t> bytes;
  rkyolo::Status s = rkyolo::core::read_file_bytes(model, &bytes);
  // The graph is validated, and rewritten in memory where OpenCV 4.6 needs
  // it (as the vendor toolkit would fold and cut it); the container stores
  // the rewritten graph.
  rkyolo::core::OnnxModel graph;
  rkyolo::core::OnnxImportReport rewrites;
  if (s.ok()) s = rkyolo::core::import_onnx_for_opencv(&bytes, model, &graph, &rewrites);
  if (s.ok()) s = rkyolo::core::parse_onnx(bytes.data(), bytes.size(), model, &onnx);
  if (!s.ok()) return fail(s.message());
  for (const auto& r : rewrites.rewrites) std::printf("rknn-emu: rewrite: %s\n", r.c_str());
  if (onnx.inputs.size() != 1) return fail("'" + model + "' must have exactly one input");
  const auto& in_dims = onnx.inputs[0].dims;
  if (in_dims.size() != 4 || in_dims[1] < 1 || in_dims[1] > 4 || in_dims[2] <= 0 || in_dims[3] <= 0)
    return fail("'" + model + "' input " + rkyolo::shape_string(in_dims) + " must be a fixed (1, C, H, W) image");
  const int in_c = static_cast<int>(in_dims[1]), in_h = static_cast<int>(in_dims[2]),
            in_w = static_cast<int>(in_dims[3]);
  if (in_c != 3) return fail("calibration needs a 3-channel image input, '" + model + "' has " + std::to_string(in_c));

  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  } catch (const cv::Exception& e) {
    return fail("cannot load '" + model + "' with OpenCV DNN: " + e.err);
  }
  std::vector<cv::String> names;
  for (const auto& o : onnx.outputs) names.push_back(o.name);

  std::vector<std::string> images;
  std::error_code ec;
  if (!fs::is_directory(calib, ec)) return fail("calibration directory '" + calib + "' does not exist");
  for (const auto& e : fs::directory_iterator(calib, ec)) {
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp"))
      images.push_back(e.path().string());
  }
  std::sort(images.begin(), images.end());
  if (images.size() > static_cast<std::size_t>(max_images)) images.resize(max_images);
  if (images.empty()) return fail("no calibration images (.jpg, .png, .bmp) in '" + calib + "'");

  rkyolo::core::LetterboxTarget t;
  t.width = in_w;
  t.height = in_h;
  t.layout = rkyolo::TensorLayout::kNCHW;
  t.dtype = rkyolo::DType::kFloat32;
  for (int c = 0; c < 3; ++c) t.mean[c] = mean[c], t.std[c] = stdv[c];
  rkyolo::core::Letterboxer lb;
  if (!lb.configure(t).ok()) return fail("bad mean/std");
  const int shape[4] = {1, 3, in_h, in_w};
  cv::Mat blob(4, shape, CV_32F);
  std::vector<float> lo(names.size(), std::numeric_limits<float>::max()),
      hi(names.size(), std::numeric_limits<float>::lowest());
  std::vector<std::vector<std::int64_t>> dims(names.size());
  int used = 0;
  for (const auto& path : images) {
    cv::Mat img = cv::imread(path, cv::IMREAD_COLOR);
    if (img.empty()) {
      std::fprintf(stderr, "rknn-emu: warning: skipping unreadable calibration image '%s'\n", path.c_str());
      continue;
    }
    const rkyolo::ImageView view{img.data, img.cols, img.rows, img.step[0], rkyolo::PixelFormat::kBgr8};
    if (!lb.run(view, blob.data).ok()) continue;
    std::vector<cv::Mat> outs;
    try {
      net.setInput(blob);
      net.forward(outs, names);
    } catch (const cv::Exception& e) {
      return fail("OpenCV DNN cannot run '" + model + "': " + e.err);
    }
    for (std::size_t i = 0; i < outs.size(); ++i) {
      double mn, mx;
      cv::minMaxIdx(outs[i].reshape(1, 1), &mn, &mx);
      lo[i] = std::min(lo[i], static_cast<float>(mn));
      hi[i] = std::max(hi[i], static_cast<float>(mx));
      dims[i].clear();
      for (int d = 0; d < outs[i].dims; ++d) dims[i].push_back(outs[i].size[d]);
    }
    ++used;
  }
  if (used == 0) return fail("none of the calibration images in '" + calib + "' could be read");

  emu::Container c;
  emu::ContainerHeader& h = c.header;
  h.target = target;
  h.toolkit_version = toolkit;
  for (int k = 0; k < 3; ++k) h.mean[k] = mean[k], h.std[k] = stdv[k];
  h.input.name = onnx.inputs[0].name;
  h.input.dims = {1, in_c, in_h, in_w};
  // The normalized input spans [(0 - mean) / std, (255 - mean) / std].
  float in_lo = std::numeric_limits<float>::max(), in_hi = std::numeric_limits<float>::lowest();
  for (int k = 0; k < 3; ++k) {
    in_lo = std::min(in_lo, (0.0f - mean[k]) / stdv[k]);
    in_hi = std::max(in_hi, (255.0f - mean[k]) / stdv[k]);
  }
  h.input.scale = (in_hi - in_lo) / 255.0f;
  h.input.zp = static_cast<std::int32_t>(std::clamp<long>(std::lround(-128.0f - in_lo / h.input.scale), -128, 127));
  for (std::size_t i = 0; i < names.size(); ++i) {
    emu::QuantTensor q;
    q.name = names[i];
    q.dims = dims[i];
    affine_from_range(lo[i], hi[i], &q.scale, &q.zp);
    h.outputs.push_back(q);
  }
  // Per layer: OpenCV 4.6's getFLOPS dereferences a missing weight blob on
  // an InnerProduct made from a MatMul of two activations (the attention
  // blocks of YOLOv10/YOLO11), so those (a tiny share) are left out.
  try {
    double flops = 0;
    const std::vector<int> in_shape{1, 3, in_h, in_w};
    for (const auto& layer_name : net.getLayerNames()) {
      const int id = net.getLayerId(layer_name);
      const cv::Ptr<cv::dnn::Layer> layer = net.getLayer(id);
      if (layer->type == "InnerProduct" && layer->blobs.empty()) continue;
      flops += static_cast<double>(net.getFLOPS(id, in_shape));
    }
    h.gflops = flops / 1e9;
  } catch (const cv::Exception&) {
    h.gflops = 0;
  }
  h.calibration_images = used;
  h.source_model = fs::path(model).filename().string();
  h.metadata = onnx.metadata;
  c.onnx = std::move(bytes);
  const std::vector<std::uint8_t> file = emu::serialize(c);
  const std::string tmp = out + ".tmp";
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    if (!o) return fail("cannot write '" + out + "'");
  }
  fs::rename(tmp, out, ec);
  if (ec) return fail("cannot write '" + out + "': " + ec.message());
  std::printf("rknn-emu: %s -> %s (target %s, %d calibration images, %.2f GFLOPs)\n", model.c_str(), out.c_str(),
              target.c_str(), used, h.gflops);
  std::printf("  input  %s %dx%dx%d int8 scale %.6g zp %d\n", h.input.name.c_str(), in_w, in_h, in_c, h.input.scale,
              h.input.zp);
  for (const auto& q : h.outputs)
    std::printf("  output %s %s int8 scale %.6g zp %d\n", q.name.c_str(), rkyolo::shape_string(q.dims).c_str(), q.scale,
                q.zp);
  return 0;
}

int info(int argc, char** argv) {
  if (argc < 3) return fail("info needs a model file");
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) return fail(std::string("cannot open '") + argv[2] + "'");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  emu::Container c;
  std::string error;
  if (!emu::parse(bytes.data(), bytes.size(), &c, &error)) return fail(std::string("'") + argv[2] + "': " + error);
  const auto& h = c.header;
  std::printf("target %s, toolkit %s, source %s, %d calibration images, %.2f GFLOPs\n", h.target.c_str(),
              h.toolkit_version.c_str(), h.source_model.c_str(), h.calibration_images, h.gflops);
  std::printf("mean %g,%g,%g std %g,%g,%g\n", h.mean[0], h.mean[1], h.mean[2], h.std[0], h.std[1], h.std[2]);
  std::printf("input  %s %s scale %.6g zp %d\n", h.input.name.c_str(), rkyolo::shape_string(h.input.dims).c_str(),
              h.input.scale, h.input.zp);
  for (const auto& q : h.outputs)
    std::printf("output %s %s scale %.6g zp %d\n", q.name.c_str(), rkyolo::shape_string(q.dims).c_str(), q.scale, q.zp);
  for (const auto& [k, v] : h.metadata) std::printf("metadata %s = %.80s\n", k.c_str(), v.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "convert") == 0) return convert(argc, argv);
  if (std::strcmp(argv[1], "info") == 0) return info(argc, argv);
  return fail(std::string("unknown command '") + argv[1] + "' (convert, info)");
}
