// rkyolo: letterbox preprocessing fused with colour conversion (BGR/RGB
// channel order, or YUV 4:2:0 -> RGB), normalization or quantization,
// writing straight into the backend's input tensor.
//
// Geometry follows the Ultralytics recipe exactly (see letterbox_geometry).
// Pixels are bilinear like OpenCV's INTER_LINEAR (same sample positions and
// border rules). BGR/RGB sources use OpenCV 4.6's own fixed-point arithmetic
// (11-bit taps, horizontal pass first, its vertical rounding), so results
// equal cv2.resize + copyMakeBorder exactly; YUV 4:2:0 sources are resized
// plane by plane (7-bit vertical, 11-bit horizontal weights, one rounding)
// and converted per pixel (letterbox_yuv.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/letterbox_simd.h"
#include "core/letterbox_yuv.h"
#include "rkyolo/backend.h"
#include "rkyolo/image.h"
#include "rkyolo/status.h"
#include "rkyolo/tensor.h"

namespace rkyolo::core {

struct LetterboxGeometry {
  int src_w = 0, src_h = 0;  // source image
  int dst_w = 0, dst_h = 0;  // model input
  double gain = 1.0;         // r = min(dst_h / src_h, dst_w / src_w)
  int new_w = 0, new_h = 0;  // resized content
  int pad_left = 0, pad_top = 0, pad_right = 0, pad_bottom = 0;

  // Maps a point of the model input back to source-image pixels.
  float to_source_x(float x) const { return static_cast<float>((x - pad_left) / gain); }
  float to_source_y(float y) const { return static_cast<float>((y - pad_top) / gain); }
};

// r = min(H/h, W/w); new = (round(w*r), round(h*r)) with Python's
// round-half-even; top = round(dh - 0.1), bottom = round(dh + 0.1), likewise
// left/right.
LetterboxGeometry letterbox_geometry(int src_w, int src_h, int dst_w, int dst_h);

// The tensor the letterbox writes: derived once from the backend's InputCaps.
struct LetterboxTarget {
  int width = 0, height = 0;
  TensorLayout layout = TensorLayout::kNCHW;  // kNCHW or kNHWC
  DType dtype = DType::kFloat32;              // kFloat32, kUint8, kInt8
  PixelFormat color = PixelFormat::kRgb8;     // channel order of the tensor
  int row_stride_pixels = 0;                  // NHWC row pitch (0 = width)
  float mean[3] = {0, 0, 0};
  float std[3] = {255, 255, 255};
  QuantParams quant;
  std::uint8_t pad_value = 114;

  static LetterboxTarget from_caps(const InputCaps& caps);
  int pitch() const { return row_stride_pixels > 0 ? row_stride_pixels : width; }
  // Bytes the destination buffer must have.
  std::size_t required_bytes() const;
};

// Per-channel conversion of a 0..255 pixel into the tensor's element type.
struct PixelTables {
  std::array<std::array<float, 256>, 3> f32{};
  std::array<std::array<std::int8_t, 256>, 3> i8{};
  // When every channel maps p -> clamp(p + i8_offset) the int8 path needs no
  // table (e.g. mean 0, std 255, scale 1/255, zero-point -128: q = p - 128).
  bool i8_is_offset = false;
  int i8_offset = 0;
  // When the float mapping is the same for all channels.
  bool f32_uniform = false;
};

PixelTables make_pixel_tables(const LetterboxTarget& target);

// Checks that `image` can be read: a known format, non-empty, rows and
// planes present and wide enough, even sizes for YUV 4:2:0. One sentence
// naming the problem otherwise.
Status check_image(const ImageView& image);

// Scalar reference: plain per-pixel loops, kept forever as the definition
// the optimized path is tested against. YUV sources are resized plane by
// plane and converted per output pixel (letterbox_yuv.h says why).
void letterbox_ref(const ImageView& src, const LetterboxTarget& target, void* dst);

// The optimized, allocation-free fused letterbox. Transforms are cached per
// source size and kind (interleaved, swapped, YUV): up to kMaxCachedSizes at
// once, least recently used evicted, so alternating streams of different
// sizes allocate nothing once each size has been seen. Not thread-safe; one
// per worker.
class Letterboxer {
 public:
  static constexpr int kMaxCachedSizes = 8;

  Status configure(const LetterboxTarget& target);
  const LetterboxTarget& target() const { return target_; }

  // Returns the cached transform's geometry for this source (computed on the
  // first use of its size and kind).
  const LetterboxGeometry& prepare(int src_w, int src_h, PixelFormat format = PixelFormat::kBgr8);
  // The geometry of the last prepared or letterboxed source.
  const LetterboxGeometry& geometry() const;

  // Letterboxes `src` into `dst` (target().required_bytes() bytes). Pixels of
  // NHWC row padding (beyond width) are left untouched.
  Status run(const ImageView& src, void* dst);

  // Explicit SIMD kernels (AVX2 on x86-64 when the CPU has it, NEON on
  // aarch64) for NHWC uint8, NHWC int8 (q = p - 128) and NCHW float; tests turn
  // them off to check the portable path against the reference too.
  void set_simd_enabled(bool enabled);
  bool simd_active() const { return simd_; }

 private:
  enum class SourceKind : int { kInterleaved, kInterleavedSwapped, kYuv };

  // One source size's transform (grow-only buffers, reused on eviction).
  struct Plan {
    int src_w = -1, src_h = -1;
    SourceKind kind = SourceKind::kInterleaved;
    std::uint64_t last_used = 0;
    LetterboxGeometry geom;
    // Interleaved sources, per output element (new_w*3, tensor order): the
    // source byte offsets of both taps (swap applied) and their weights; a
    // tap of weight 2^11 alone is the first (so x_index picks it).
    std::vector<std::int32_t> x_index, x_index1, x_alpha0, x_alpha1;
    // Per output pixel, both horizontal taps (source pixels, the one of
    // weight 2^11 alone first) and their weights, for the block kernels.
    std::vector<std::int32_t> tap_pixel0, tap_pixel1;
    std::vector<std::int16_t> tap_weights;
    // Every horizontal tap picks one source pixel (weights (2^11, 0)): rows
    // whose vertical taps do too are copies. Their SIMD shuffle
    // (pick_kernel.loads 0: none, the portable gather instead).
    bool h_pick = false;
    std::vector<simd::PickBlock> pick_blocks;
    simd::PickPlan pick_kernel;
    // Every horizontal tap averages source pixels (2x, 2x + 1) (weights
    // (2^10, 2^10), exact 2:1): rows whose vertical taps do too are 2x2
    // averages (simd::average; average_kernel: the SIMD kernel runs them).
    bool h_average = false;
    bool average_kernel = false;
    // The other rows' fused SIMD kernel (NEON; blend_kernel.n 0: none, the
    // two passes instead).
    std::vector<simd::BlendBlock> blend_blocks;
    simd::BlendPlan blend_kernel;
    // The SIMD horizontal pass, per output pixel: byte offset of its first
    // tap (3 * sx) and weights in the kernel's layout, for the first
    // hpass_pixels pixels (whose 8-byte loads stay inside the row).
    std::vector<std::int32_t> hpass_index;
    std::vector<std::int16_t> hpass_weights;
    int hpass_pixels = 0;
    // Per output row: source rows (clamped) and vertical weights (luma rows
    // for YUV), then the chroma rows of YUV sources.
    std::vector<std::int32_t> y_row0, y_row1, y_beta0, y_beta1;
    std::vector<std::int32_t> c_row0, c_row1, c_beta0, c_beta1;
    // YUV, per output pixel: luma sample, chroma pair offset (2 * chroma
    // x) and weight pairs (a0, a1), for both the portable path and the SIMD
    // kernels.
    std::vector<std::int32_t> yuv_y_index, yuv_c_index;
    std::vector<std::int16_t> yuv_y_weights, yuv_c_weights;
    // The same taps for the NEON kernels, per block of 8 SIMD pixels, and
    // the runs of blocks of one mode (simd::build_yuv_blocks).
    std::vector<simd::YuvBlock> yuv_blocks;
    std::vector<simd::YuvRun> yuv_runs;
    // The kernels' view of the vectors above (n = simd_pixels), set by
    // build_yuv.
    simd::YuvPlan yuv_kernel;
    // YUV: pixels the SIMD kernels handle (the rest go to the portable tail).
    int simd_pixels = 0;
  };

  Plan& plan_for(int src_w, int src_h, SourceKind kind);
  void build_plan(Plan& p) const;
  void build_interleaved(Plan& p) const;
  void build_yuv(Plan& p) const;
  void write_pad_rows(std::uint8_t* dst, int y_begin, int y_end) const;
  void write_content_row(const std::uint8_t* row, std::uint8_t* dst, int y) const;
  void write_content_row_simd(const Plan& p, std::uint8_t* dst, int y) const;
  void write_planar_f32_row(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1, std::uint8_t* dst,
                            int y) const;
  void planar_f32_padding(std::uint8_t* dst, int y, float* content[3]) const;
  void write_pick_row(const Plan& p, const std::uint8_t* in, std::uint8_t* dst, int y) const;
  void write_average_row(const Plan& p, const std::uint8_t* r0, const std::uint8_t* r1, std::uint8_t* dst, int y) const;
  template <typename Kernel>
  void write_kernel_row(const Plan& p, std::uint8_t* dst, int y, Kernel&& kernel) const;
  template <typename Fill>
  void write_portable_row(const Plan& p, std::uint8_t* dst, int y, Fill&& fill) const;
  bool i8_flips() const;
  void yuv_bytes(const Plan& p, int begin, int count, std::uint8_t* out, bool planar) const;
  void vblend_rows(const ImageView& src, const Plan& p, int y) const;
  void hpass_rows(const ImageView& src, const Plan& p, int y, const std::int16_t** h0, const std::int16_t** h1) const;
  const std::int16_t* hpass_cached(const ImageView& src, const Plan& p, int row, int keep) const;
  void hpass_fill(const std::uint8_t* const* rows, int count, const Plan& p, std::int16_t* const* out) const;

  LetterboxTarget target_;
  PixelTables tables_;
  bool configured_ = false;
  YuvCoeffs yuv_{};  // of the last YUV source

  std::vector<Plan> plans_;  // at most kMaxCachedSizes, capacity reserved
  int current_ = -1;
  std::uint64_t clock_ = 0;
  // Scratch shared by every plan (grow-only).
  mutable std::vector<std::int16_t> hsum_[2];  // horizontally resized source rows (h >> 4), tensor order
  mutable int hsum_row_[2] = {-1, -1};         // their source rows (-1: none)
  mutable std::vector<std::int16_t> vrow_;     // YUV: vertically blended Y row
  mutable std::vector<std::int16_t> crow_;     // vertically blended chroma row, U,V interleaved
  mutable std::vector<std::uint8_t> hrow_;     // resized row, tensor channel order
  std::vector<std::uint8_t> pad_row_;          // one NHWC row of padding, converted
  bool simd_allowed_ = true;
  bool simd_ = false;       // YUV kernels (NHWC uint8 / int8 q = p - 128, NCHW float32)
  bool simd_rows_ = false;  // BGR/RGB horizontal and vertical passes (any target)
};

}  // namespace rkyolo::core
