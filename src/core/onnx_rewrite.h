// rkyolo: in-memory rewrites that make stock Ultralytics ONNX exports run on
// OpenCV 4.6 DNN (and the emulator's converter), and the `rknn-split` export.
// Each rewrite is mechanical and reported; the file on disk is never touched.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/onnx_graph.h"
#include "rkyolo/status.h"

namespace rkyolo::core {

// What import did to a model, for `rkyolo info` and `rknn-emu convert`.
struct OnnxImportReport {
  std::vector<std::string> rewrites;  // one line per rewrite applied; empty: the file is used as is
  std::string family;                 // "yolov8", "yolov10 (one-to-one head)", ... when a head was cut
};

// Metadata key the rewritten model carries: the rewrites, "; "-separated.
inline constexpr const char* kRewritesMetadataKey = "rkyolo_rewrites";

// Rewrites `model` in place for OpenCV 4.6 DNN:
//  (a) an Ultralytics Detect head with the decode in the graph (v5u, v8, v9,
//      v10 one-to-one, YOLO11) is cut at the per-stride box and class
//      convolutions, with a Sigmoid added on the class logits: Rockchip's
//      split layout, decoded by rkyolo (DFL on survivors only);
//  (b) constant inputs that OpenCV 4.6 reads only as attributes (Split's
//      `split`, Clip's `min`/`max`, Reduce*/Squeeze/Unsqueeze `axes`) become
//      attributes; shape computations on static shapes fold to constants.
// Segmentation, pose, OBB and classification models are refused with the
// task named. `report` lists what was applied.
Status rewrite_for_opencv(OnnxModel* model, const std::string& what, OnnxImportReport* report);

// Reads, validates and (when needed) rewrites an ONNX file's bytes. On
// success `bytes` holds what OpenCV should load (the original bytes when no
// rewrite applied) and `model` the parsed graph after rewrites.
Status import_onnx_for_opencv(std::vector<std::uint8_t>* bytes, const std::string& what, OnnxModel* model,
                              OnnxImportReport* report);

// The `rkyolo export --format rknn-split` transform: per stride box
// (1, 4*reg_max, H, W), cls (1, nc, H, W) after sigmoid and score_sum
// (1, 1, H, W) = min(sum of cls, 1) written as 1 - Relu(1 - ReduceSum(cls)),
// in the zoo's order, ai.onnx opset 12, metadata kept. Valid ONNX that
// OpenCV 4.6 also loads.
Status export_rknn_split(OnnxModel* model, const std::string& what, OnnxImportReport* report);

}  // namespace rkyolo::core
