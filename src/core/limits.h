// rkyolo: limits on every size read from a file (model files, ONNX shapes,
// metadata, .rknn containers), checked before anything is allocated from
// them. Each is far above any real YOLO model and far below what would
// exhaust a board's memory, so a hostile or damaged file gets one sentence
// instead of a hang, an abort or an allocation of tens of gigabytes.
#pragma once

#include <cstdint>
#include <string>

#include "rkyolo/status.h"

namespace rkyolo::core {

// Model files: a protobuf (ONNX) message cannot exceed 2 GiB and rknn_init
// takes a 32-bit size, so a larger --model file is refused before reading.
inline constexpr std::uint64_t kMaxModelFileBytes = std::uint64_t{2} << 30;

// Model input side, pixels: 8K video fits; a 100000 x 100000 input would
// ask for a 120 GB float buffer.
inline constexpr std::int64_t kMaxInputSide = 8192;

// Elements of one model input or output tensor (1 GiB of float32): a
// 3 x 8192 x 8192 input fits, a shape that would overflow a size does not.
inline constexpr std::int64_t kMaxTensorElements = std::int64_t{1} << 28;

// Tensor rank: YOLO tensors have at most 5 dimensions (NC1HWC2).
inline constexpr std::size_t kMaxTensorRank = 8;

// Class count: over three times LVIS' 1203 classes, the largest public
// detection vocabulary; one name per class is allocated at load.
inline constexpr int kMaxClasses = 4096;

// Detection stride, pixels: P7 heads use 128; a larger one has no grid.
inline constexpr int kMaxStride = 256;

// Detection heads (strides) and YOLOv5 anchors per head.
inline constexpr std::size_t kMaxHeads = 16;
inline constexpr std::size_t kMaxAnchorsPerHead = 64;

// One metadata value (ONNX metadata_props), bytes: LVIS' names take 25 KB;
// parsing allocates tens of bytes per byte of text.
inline constexpr std::size_t kMaxMetadataValueBytes = std::size_t{1} << 20;

// One dimension of an ONNX initializer (weights, constants): far above any
// layer's channel count, and with kMaxTensorElements no size overflows.
inline constexpr std::int64_t kMaxOnnxDim = std::int64_t{1} << 24;

// Nodes of one ONNX graph: YOLO graphs have a few hundred to a few thousand.
inline constexpr std::size_t kMaxOnnxNodes = 100000;

// Model outputs: split heads have at most 3 per stride.
inline constexpr std::size_t kMaxOutputs = 3 * kMaxHeads;

// An input of w x h pixels is within kMaxInputSide; the error names `what`.
inline Status check_input_size(std::int64_t width, std::int64_t height, const std::string& what) {
  if (width <= kMaxInputSide && height <= kMaxInputSide) return Status();
  return unsupported_model(MessageId::kInputTooLarge,
                           {{"what", what}, {"width", width}, {"height", height}, {"max", kMaxInputSide}});
}

}  // namespace rkyolo::core
