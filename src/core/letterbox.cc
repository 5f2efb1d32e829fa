#include "core/letterbox.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "core/letterbox_simd.h"
#include "core/quantize.h"
#include "core/simd.h"

namespace rkyolo::core {

namespace {

// Fixed-point bilinear weights, OpenCV's INTER_LINEAR for 8-bit images
// (4.6, cv::resize -> resizeGeneric_ with HResizeLinear / VResizeLinear):
// 11-bit weights both ways (INTER_RESIZE_COEF_BITS), each tap rounded on
// its own; the horizontal pass first, exact in int32 (h = S0 a0 + S1 a1);
// then vertically v = ((h0 >> 4) b0 >> 16) + ((h1 >> 4) b1 >> 16) and
// p = (v + 2) >> 2. Bit-exact with cv2.resize.
constexpr int kCoefBits = 11;
constexpr int kHShift = 4;       // h >> 4 fits in int16 (255 * 2048 >> 4 = 32640)
constexpr int kMulhiShift = 16;  // (h >> 4) * b >> 16: one mulhi
constexpr int kFinalShift = 2;   // 11 + 11 - 4 - 16 = 2 fraction bits left
// YUV planes keep the earlier design (vertical blend first, int16 rows):
// 7-bit vertical weights so a blended row fits in int16 (128 * 255), 11-bit
// horizontal ones, 18 fraction bits before letterbox_yuv.h's rounding.
constexpr int kYuvVBits = 7;

// Python's round(): half to even (the default FP rounding mode).
int py_round(double v) {
  return static_cast<int>(std::nearbyint(v));
}

}  // namespace

LetterboxGeometry letterbox_geometry(int src_w, int src_h, int dst_w, int dst_h) {
  LetterboxGeometry g;
  g.src_w = src_w;
  g.src_h = src_h;
  g.dst_w = dst_w;
  g.dst_h = dst_h;
  if (src_w <= 0 || src_h <= 0 || dst_w <= 0 || dst_h <= 0) return g;
  const double r = std::min(static_cast<double>(dst_h) / src_h, static_cast<double>(dst_w) / src_w);
  g.gain = r;
  g.new_w = std::clamp(py_round(src_w * r), 1, dst_w);
  g.new_h = std::clamp(py_round(src_h * r), 1, dst_h);
  const double dw = (dst_w - g.new_w) / 2.0;
  const double dh = (dst_h - g.new_h) / 2.0;
  g.pad_top = py_round(dh - 0.1);
  g.pad_left = py_round(dw - 0.1);
  // Ultralytics computes bottom/right as round(d + 0.1), which always equals
  // total - top/left; deriving them keeps the tensor size exact.
  g.pad_bottom = dst_h - g.new_h - g.pad_top;
  g.pad_right = dst_w - g.new_w - g.pad_left;
  return g;
}

LetterboxTarget LetterboxTarget::from_caps(const InputCaps& caps) {
  LetterboxTarget t;
  t.width = caps.width;
  t.height = caps.height;
  t.layout = caps.layout;
  t.dtype = caps.dtype;
  t.color = caps.color;
  t.row_stride_pixels = caps.row_stride_pixels;
  for (int c = 0; c < 3; ++c) {
    t.mean[c] = caps.mean[c];
    t.std[c] = caps.std[c];
  }
  t.quant = caps.quant;
  return t;
}

std::size_t LetterboxTarget::required_bytes() const {
  const std::size_t elem = dtype_size(dtype);
  if (layout == TensorLayout::kNHWC) return static_cast<std::size_t>(pitch()) * height * 3 * elem;
  return static_cast<std::size_t>(width) * height * 3 * elem;
}

PixelTables make_pixel_tables(const LetterboxTarget& t) {
  PixelTables tab;
  bool offset_ok = t.dtype == DType::kInt8;
  int offset = 0;
  tab.f32_uniform = true;
  for (int c = 0; c < 3; ++c) {
    for (int p = 0; p < 256; ++p) {
      const float v = (static_cast<float>(p) - t.mean[c]) / t.std[c];
      tab.f32[c][p] = v;
      if (t.dtype == DType::kInt8) tab.i8[c][p] = quantize_i8(v, t.quant.scale, t.quant.zero_point);
      if (tab.f32[c][p] != tab.f32[0][p]) tab.f32_uniform = false;
    }
    if (offset_ok) {
      const int off = tab.i8[c][0];
      if (c == 0) offset = off;
      if (off != offset) offset_ok = false;
      for (int p = 0; p < 256 && offset_ok; ++p) offset_ok = tab.i8[c][p] == std::clamp(p + offset, -128, 127);
    }
  }
  tab.i8_is_offset = offset_ok;
  tab.i8_offset = offset;
  return tab;
}

// ---------------------------------------------------------------------------
// Scalar reference: every output element computed on its own, from scratch.
// ---------------------------------------------------------------------------

namespace {

struct RefTap {
  int s0, s1, w0, w1;
};

// Weight of a tap in `bits` fixed point, round half to even, like cv::saturate_cast<short>.
int coef(float w, int bits) {
  return static_cast<int>(std::lrint(w * static_cast<float>(1 << bits)));
}

// OpenCV's horizontal taps: at the borders the weight collapses onto the
// edge pixel. Both weights rounded on their own (they may not sum to 2^11).
RefTap ref_htap(int dx, double scale, int size) {
  float fx = static_cast<float>((dx + 0.5) * scale - 0.5);
  int sx = static_cast<int>(std::floor(fx));
  fx -= static_cast<float>(sx);
  if (sx < 0) fx = 0, sx = 0;
  if (sx >= size - 1) fx = 0, sx = size - 1;
  return {sx, std::min(sx + 1, size - 1), coef(1.f - fx, kCoefBits), coef(fx, kCoefBits)};
}

// OpenCV's vertical taps: weights kept, rows clamped into the image.
// `bits`: 11 (OpenCV's, each tap rounded) or 7 for the YUV planes (w0 =
// 128 - w1, so a blended row fits in int16).
RefTap ref_vtap(int dy, double scale, int size, int bits = kCoefBits) {
  float fy = static_cast<float>((dy + 0.5) * scale - 0.5);
  int sy = static_cast<int>(std::floor(fy));
  fy -= static_cast<float>(sy);
  auto clip = [size](int v) { return std::clamp(v, 0, size - 1); };
  const int w1 = coef(fy, bits);
  const int w0 = bits == kCoefBits ? coef(1.f - fy, bits) : (1 << bits) - w1;
  return {clip(sy), clip(sy + 1), w0, w1};
}

// The YUV planes' horizontal taps: weights summing to 2^11.
RefTap ref_htap_yuv(int dx, double scale, int size) {
  RefTap t = ref_htap(dx, scale, size);
  t.w0 = (1 << kCoefBits) - t.w1;
  return t;
}

// OpenCV's vertical step on two horizontally resized values (h >> 4).
inline int vertical_sum(int h0, int h1, int b0, int b1) {
  const int v = ((h0 * b0) >> kMulhiShift) + ((h1 * b1) >> kMulhiShift);
  return std::clamp((v + (1 << (kFinalShift - 1))) >> kFinalShift, 0, 255);
}

void store_ref(const LetterboxTarget& t, const PixelTables& tab, void* dst, int x, int y, int c, int p) {
  std::size_t index;
  if (t.layout == TensorLayout::kNHWC)
    index = (static_cast<std::size_t>(y) * t.pitch() + x) * 3 + c;
  else
    index = (static_cast<std::size_t>(c) * t.height + y) * t.width + x;
  switch (t.dtype) {
    case DType::kFloat32: static_cast<float*>(dst)[index] = tab.f32[c][p]; break;
    case DType::kInt8: static_cast<std::int8_t*>(dst)[index] = tab.i8[c][p]; break;
    default: static_cast<std::uint8_t*>(dst)[index] = static_cast<std::uint8_t>(p); break;
  }
}

}  // namespace

namespace {

// One colour sample of an interleaved source: bilinear (or a copy).
int ref_interleaved(const ImageView& src, const LetterboxGeometry& g, int cx, int cy, int sc) {
  if (g.new_w == src.width && g.new_h == src.height) return src.row(cy)[cx * 3 + sc];
  const RefTap h = ref_htap(cx, 1.0 / (static_cast<double>(g.new_w) / src.width), src.width);
  const RefTap v = ref_vtap(cy, 1.0 / (static_cast<double>(g.new_h) / src.height), src.height);
  // Horizontal pass of both source rows (exact), then OpenCV's vertical step.
  auto hsum = [&](int row) {
    const std::uint8_t* r = src.row(row);
    return (r[h.s0 * 3 + sc] * h.w0 + r[h.s1 * 3 + sc] * h.w1) >> kHShift;
  };
  return vertical_sum(hsum(v.s0), hsum(v.s1), v.w0, v.w1);
}

// One plane of a YUV source resized at (cx, cy), with kYuvFracBits fraction
// bits. `step` is the distance between samples (2 for NV12's interleaved UV).
int ref_plane(const std::uint8_t* plane, std::size_t stride, int step, int w, int h, double scale_x, double scale_y,
              int cx, int cy) {
  const RefTap th = ref_htap_yuv(cx, scale_x, w);
  const RefTap tv = ref_vtap(cy, scale_y, h, kYuvVBits);
  auto at = [&](int x, int y) { return static_cast<long>(plane[static_cast<std::size_t>(y) * stride + x * step]); };
  const long left = tv.w0 * at(th.s0, tv.s0) + tv.w1 * at(th.s0, tv.s1);
  const long right = tv.w0 * at(th.s1, tv.s0) + tv.w1 * at(th.s1, tv.s1);
  return static_cast<int>((th.w0 * left + th.w1 * right + kYuvSampleBias) >> kYuvSampleShift);
}

// The RGB colour of content pixel (cx, cy) of a YUV source: the Y plane and
// the half-size chroma plane(s) resized to the content size, converted.
Rgb8 ref_yuv(const ImageView& src, const LetterboxGeometry& g, int cx, int cy) {
  const double sx = 1.0 / (static_cast<double>(g.new_w) / src.width);
  const double sy = 1.0 / (static_cast<double>(g.new_h) / src.height);
  const int cw = src.width / 2, ch = src.height / 2;
  const int y = ref_plane(src.data, src.stride_bytes, 1, src.width, src.height, sx, sy, cx, cy);
  const bool nv12 = src.format == PixelFormat::kNv12;
  const int u = ref_plane(src.chroma[0], src.chroma_stride[0], nv12 ? 2 : 1, cw, ch, sx * 0.5, sy * 0.5, cx, cy);
  const int v = nv12 ? ref_plane(src.chroma[0] + 1, src.chroma_stride[0], 2, cw, ch, sx * 0.5, sy * 0.5, cx, cy)
                     : ref_plane(src.chroma[1], src.chroma_stride[1], 1, cw, ch, sx * 0.5, sy * 0.5, cx, cy);
  return yuv_to_rgb(y, u, v, yuv_coeffs(src.matrix, src.full_range));
}

}  // namespace

void letterbox_ref(const ImageView& src, const LetterboxTarget& t, void* dst) {
  const LetterboxGeometry g = letterbox_geometry(src.width, src.height, t.width, t.height);
  const PixelTables tab = make_pixel_tables(t);
  const bool yuv = is_yuv420(src.format);
  const bool swap = yuv ? t.color == PixelFormat::kBgr8 : src.format != t.color;
  for (int y = 0; y < t.height; ++y) {
    for (int x = 0; x < t.width; ++x) {
      const int cx = x - g.pad_left, cy = y - g.pad_top;
      const bool inside = cx >= 0 && cx < g.new_w && cy >= 0 && cy < g.new_h;
      const Rgb8 rgb = inside && yuv ? ref_yuv(src, g, cx, cy) : Rgb8{0, 0, 0};
      for (int c = 0; c < 3; ++c) {
        const int sc = swap ? 2 - c : c;
        int p = t.pad_value;
        if (inside && yuv) p = sc == 0 ? rgb.r : sc == 1 ? rgb.g : rgb.b;
        if (inside && !yuv) p = ref_interleaved(src, g, cx, cy, sc);
        store_ref(t, tab, dst, x, y, c, p);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Optimized path, interleaved sources: OpenCV's order. Each source row is
// resized horizontally once (one gather per output element, kept as h >> 4
// in int16; consecutive output rows share source rows), then two such rows
// are blended vertically (contiguous, vectorized) and converted straight
// into the destination row. Rows whose every tap weighs (2^11, 0) (exact
// odd integer downscales, 1:1) are copies of a source row's pixels (pick
// rows), rows whose every tap weighs (2^10, 2^10) on neighbouring pixels
// (exact 2:1) rounded means of 2x2 source pixels (average rows); with NEON
// the other rows take both passes in one (simd::blend).
// YUV sources: vertical blend of the planes' rows first, then one gather
// per pixel. Integers identical to the reference.
// ---------------------------------------------------------------------------

namespace {

RKYOLO_MULTIVERSION
void vblend_row(const std::uint8_t* RKYOLO_RESTRICT s0, const std::uint8_t* RKYOLO_RESTRICT s1, int b0, int b1,
                std::int16_t* RKYOLO_RESTRICT out, int n) {
  const std::int16_t w0 = static_cast<std::int16_t>(b0), w1 = static_cast<std::int16_t>(b1);
  for (int i = 0; i < n; ++i) out[i] = static_cast<std::int16_t>(w0 * s0[i] + w1 * s1[i]);
}

// One source row resized horizontally: (S[i0] a0 + S[i1] a1) >> 4 per
// output element, in tensor element order.
RKYOLO_MULTIVERSION
void hpass_row(const std::uint8_t* RKYOLO_RESTRICT src, const std::int32_t* RKYOLO_RESTRICT i0,
               const std::int32_t* RKYOLO_RESTRICT i1, const std::int32_t* RKYOLO_RESTRICT a0,
               const std::int32_t* RKYOLO_RESTRICT a1, std::int16_t* RKYOLO_RESTRICT out, int n) {
  for (int e = 0; e < n; ++e) out[e] = static_cast<std::int16_t>((src[i0[e]] * a0[e] + src[i1[e]] * a1[e]) >> kHShift);
}

// OpenCV's vertical step on two horizontally resized rows, stored xor
// xor_mask (0x80: int8 q = p - 128).
RKYOLO_MULTIVERSION
void vpass_row(const std::int16_t* RKYOLO_RESTRICT h0, const std::int16_t* RKYOLO_RESTRICT h1, int b0, int b1,
               std::uint8_t* RKYOLO_RESTRICT out, int n, std::uint8_t xor_mask) {
  for (int i = 0; i < n; ++i) {
    int v = (((h0[i] * b0) >> kMulhiShift) + ((h1[i] * b1) >> kMulhiShift) + (1 << (kFinalShift - 1))) >> kFinalShift;
    v = v < 0 ? 0 : v;
    out[i] = static_cast<std::uint8_t>((v > 255 ? 255 : v) ^ xor_mask);
  }
}

RKYOLO_MULTIVERSION
void gather_row(const std::uint8_t* RKYOLO_RESTRICT src, const std::int32_t* RKYOLO_RESTRICT idx,
                std::uint8_t* RKYOLO_RESTRICT out, int n) {
  for (int e = 0; e < n; ++e) out[e] = src[idx[e]];
}

// Average rows (simd::average says why): pixel x, tensor channel c, the
// rounded mean of the 2x2 source bytes 6x + sc, 6x + 3 + sc of rows r0, r1
// (sc = 2 - c when swap), at out[3x + c] (planar: out[c n + x], the layout
// of x_index). The SIMD kernel's scalar reference.
void average_row(const std::uint8_t* RKYOLO_RESTRICT r0, const std::uint8_t* RKYOLO_RESTRICT r1, int swap, bool planar,
                 std::uint8_t* RKYOLO_RESTRICT out, int n) {
  for (int x = 0; x < n; ++x)
    for (int c = 0; c < 3; ++c) {
      const int i = 6 * x + (swap ? 2 - c : c);
      out[planar ? c * n + x : 3 * x + c] = static_cast<std::uint8_t>((r0[i] + r0[i + 3] + r1[i] + r1[i + 3] + 2) >> 2);
    }
}

RKYOLO_MULTIVERSION
void offset_i8_row(const std::uint8_t* RKYOLO_RESTRICT in, int offset, std::int8_t* RKYOLO_RESTRICT out, int n) {
  if (offset == -128) {  // q = p - 128: flip the top bit
    for (int i = 0; i < n; ++i) out[i] = static_cast<std::int8_t>(in[i] ^ 0x80u);
    return;
  }
  for (int i = 0; i < n; ++i) {
    int q = in[i] + offset;
    q = q < -128 ? -128 : q;
    out[i] = static_cast<std::int8_t>(q > 127 ? 127 : q);
  }
}

RKYOLO_MULTIVERSION
void lut_f32_row(const std::uint8_t* RKYOLO_RESTRICT in, const float* RKYOLO_RESTRICT lut, float* RKYOLO_RESTRICT out,
                 int n) {
  for (int i = 0; i < n; ++i) out[i] = lut[in[i]];
}

void lut_i8_row(const std::uint8_t* RKYOLO_RESTRICT in, const std::int8_t* RKYOLO_RESTRICT lut,
                std::int8_t* RKYOLO_RESTRICT out, int n) {
  for (int i = 0; i < n; ++i) out[i] = lut[in[i]];
}

// I420: the U and V rows blended and interleaved like NV12's UV row, so one
// horizontal pass serves both formats.
RKYOLO_MULTIVERSION
void vblend_interleave_row(const std::uint8_t* RKYOLO_RESTRICT u0, const std::uint8_t* RKYOLO_RESTRICT u1,
                           const std::uint8_t* RKYOLO_RESTRICT v0, const std::uint8_t* RKYOLO_RESTRICT v1, int b0,
                           int b1, std::int16_t* RKYOLO_RESTRICT out, int n) {
  const std::int16_t w0 = static_cast<std::int16_t>(b0), w1 = static_cast<std::int16_t>(b1);
  for (int i = 0; i < n; ++i) {
    out[2 * i] = static_cast<std::int16_t>(w0 * u0[i] + w1 * u1[i]);
    out[2 * i + 1] = static_cast<std::int16_t>(w0 * v0[i] + w1 * v1[i]);
  }
}

// YUV pixels [begin, end) of a row: resized Y, U, V, converted, written as
// tensor channels c at out_c[x * step].
void yuv_row(const std::int16_t* vy, const std::int16_t* vc, const simd::YuvPlan& p, const YuvCoeffs& k, int begin,
             int end, std::uint8_t* out0, std::uint8_t* out1, std::uint8_t* out2, int step) {
  auto sample = [](const std::int16_t* v, int i, int next, const std::int16_t* w) {
    return (w[0] * v[i] + w[1] * v[i + next] + kYuvSampleBias) >> kYuvSampleShift;
  };
  for (int x = begin; x < end; ++x) {
    const int yi = p.y_index[x], ci = p.c_index[x];
    const std::int16_t* cw = p.c_weights + 2 * x;
    const Rgb8 rgb =
        yuv_to_rgb(sample(vy, yi, 1, p.y_weights + 2 * x), sample(vc, ci, 2, cw), sample(vc, ci + 1, 2, cw), k);
    const std::size_t o = static_cast<std::size_t>(x - begin) * step;
    out0[o] = p.bgr ? rgb.b : rgb.r;
    out1[o] = rgb.g;
    out2[o] = p.bgr ? rgb.r : rgb.b;
  }
}

}  // namespace

Status check_image(const ImageView& im) {
  const int f = static_cast<int>(im.format);
  if (f < 0 || f > static_cast<int>(PixelFormat::kYuv420p))
    return invalid_argument(MessageId::kLetterboxPixelFormat, {{"format", f}});
  if (im.empty()) return invalid_image(MessageId::kImageEmpty);
  const std::size_t w = static_cast<std::size_t>(im.width);
  if (!is_yuv420(im.format)) {
    if (im.stride_bytes < w * 3) return invalid_argument(MessageId::kLetterboxRowStride, {{"stride", im.stride_bytes}});
    return Status();
  }
  // The sentence names the image; built only on failure (no allocation per frame).
  auto fail = [&im](MessageId id, std::vector<MessageArg> args = {}) {
    std::ostringstream os;
    os << im.format;
    args.emplace_back("format", os.str());
    args.emplace_back("width", im.width);
    args.emplace_back("height", im.height);
    return invalid_argument(id, std::move(args));
  };
  if (im.width % 2 != 0 || im.height % 2 != 0) return fail(MessageId::kYuvOddSize);
  if (im.stride_bytes < w) return fail(MessageId::kYuvYStride, {{"stride", im.stride_bytes}});
  const bool nv12 = im.format == PixelFormat::kNv12;
  for (int c = 0; c < (nv12 ? 1 : 2); ++c) {
    const char* plane = nv12 ? "UV" : c == 0 ? "U" : "V";
    if (im.chroma[c] == nullptr) return fail(MessageId::kYuvNoPlane, {{"plane", plane}});
    if (im.chroma_stride[c] < (nv12 ? w : w / 2))
      return fail(nv12 ? MessageId::kYuvChromaStride : MessageId::kYuvChromaStrideHalf,
                  {{"plane", plane}, {"stride", im.chroma_stride[c]}});
  }
  if (im.matrix != YuvMatrix::kBt601 && im.matrix != YuvMatrix::kBt709)
    return fail(MessageId::kYuvMatrix, {{"matrix", static_cast<int>(im.matrix)}});
  return Status();
}

Status Letterboxer::configure(const LetterboxTarget& target) {
  if (target.width <= 0 || target.height <= 0) return invalid_argument(MessageId::kLetterboxTargetSize);
  if (target.layout != TensorLayout::kNCHW && target.layout != TensorLayout::kNHWC)
    return invalid_argument(MessageId::kLetterboxTargetLayout);
  if (target.dtype != DType::kFloat32 && target.dtype != DType::kUint8 && target.dtype != DType::kInt8)
    return invalid_argument(MessageId::kLetterboxTargetDtype, {{"dtype", dtype_name(target.dtype)}});
  if (target.layout == TensorLayout::kNHWC && target.row_stride_pixels != 0 && target.row_stride_pixels < target.width)
    return invalid_argument(MessageId::kLetterboxTargetStride,
                            {{"stride", target.row_stride_pixels}, {"width", target.width}});
  if (target.dtype == DType::kInt8 && !(target.quant.scale > 0))
    return invalid_argument(MessageId::kLetterboxInt8Scale);
  for (int c = 0; c < 3; ++c)
    if (!(target.std[c] != 0)) return invalid_argument(MessageId::kLetterboxStdZero);
  target_ = target;
  tables_ = make_pixel_tables(target_);
  configured_ = true;
  plans_.reserve(kMaxCachedSizes);
  set_simd_enabled(simd_allowed_);

  // One converted row of padding, used for pad rows and pad columns.
  const std::size_t elem = dtype_size(target_.dtype);
  pad_row_.assign(static_cast<std::size_t>(target_.width) * 3 * elem, 0);
  for (int x = 0; x < target_.width; ++x) {
    for (int c = 0; c < 3; ++c) {
      const std::size_t i = static_cast<std::size_t>(x) * 3 + c;
      switch (target_.dtype) {
        case DType::kFloat32: std::memcpy(&pad_row_[i * 4], &tables_.f32[c][target_.pad_value], 4); break;
        case DType::kInt8: pad_row_[i] = int8_bits(tables_.i8[c][target_.pad_value]); break;
        default: pad_row_[i] = target_.pad_value; break;
      }
    }
  }
  return Status();
}

void Letterboxer::set_simd_enabled(bool enabled) {
  simd_allowed_ = enabled;
  // The kernels cover NHWC uint8, NHWC int8 with q = p - 128 and NCHW float32.
  const bool kind_ok = (target_.layout == TensorLayout::kNHWC && (target_.dtype == DType::kUint8 || i8_flips())) ||
                       (target_.layout == TensorLayout::kNCHW && target_.dtype == DType::kFloat32);
  simd_ = enabled && configured_ && kind_ok && simd::available();
  simd_rows_ = enabled && configured_ && simd::available();
  // Plans encode the SIMD split: rebuild them (their buffers are kept).
  for (Plan& p : plans_) p.src_w = p.src_h = -1;
  current_ = -1;
}

const LetterboxGeometry& Letterboxer::geometry() const {
  static const LetterboxGeometry kNone;
  return current_ >= 0 ? plans_[current_].geom : kNone;
}

const LetterboxGeometry& Letterboxer::prepare(int src_w, int src_h, PixelFormat format) {
  const SourceKind kind = is_yuv420(format)         ? SourceKind::kYuv
                          : format != target_.color ? SourceKind::kInterleavedSwapped
                                                    : SourceKind::kInterleaved;
  return plan_for(src_w, src_h, kind).geom;
}

// The cached plan for this source, or the least recently used one rebuilt.
Letterboxer::Plan& Letterboxer::plan_for(int src_w, int src_h, SourceKind kind) {
  int slot = -1;
  for (int i = 0; i < static_cast<int>(plans_.size()); ++i) {
    const Plan& p = plans_[i];
    if (p.src_w == src_w && p.src_h == src_h && p.kind == kind) {
      slot = i;
      break;
    }
  }
  if (slot < 0) {
    if (static_cast<int>(plans_.size()) < kMaxCachedSizes) {
      plans_.emplace_back();
      slot = static_cast<int>(plans_.size()) - 1;
    } else {
      slot = 0;
      for (int i = 1; i < kMaxCachedSizes; ++i)
        if (plans_[i].last_used < plans_[slot].last_used) slot = i;
    }
    Plan& p = plans_[slot];
    p.src_w = src_w;
    p.src_h = src_h;
    p.kind = kind;
    build_plan(p);
  }
  plans_[slot].last_used = ++clock_;
  current_ = slot;
  return plans_[slot];
}

namespace {
template <typename T>
void grow(std::vector<T>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}
}  // namespace

void Letterboxer::build_plan(Plan& p) const {
  p.geom = letterbox_geometry(p.src_w, p.src_h, target_.width, target_.height);
  const int nw = p.geom.new_w, nh = p.geom.new_h;
  const bool yuv = p.kind == SourceKind::kYuv;
  p.h_pick = false;
  const double scale_y = 1.0 / (static_cast<double>(nh) / p.src_h);
  for (auto* v : {&p.y_row0, &p.y_row1, &p.y_beta0, &p.y_beta1}) v->resize(nh);
  for (int y = 0; y < nh; ++y) {
    const RefTap v = ref_vtap(y, scale_y, p.src_h, yuv ? kYuvVBits : kCoefBits);
    p.y_row0[y] = v.s0;
    p.y_row1[y] = v.s1;
    p.y_beta0[y] = v.w0;
    p.y_beta1[y] = v.w1;
  }
  // 16 spare elements: the SIMD kernels read 8 int16 from each pixel's offset.
  grow(vrow_, static_cast<std::size_t>(p.src_w) * 3 + 16);
  grow(crow_, static_cast<std::size_t>(p.src_w) + 16);
  grow(hrow_, static_cast<std::size_t>(nw) * 3 + 16);
  for (auto& h : hsum_) grow(h, static_cast<std::size_t>(nw) * 3 + 16);
  const bool planar = target_.layout == TensorLayout::kNCHW;
  // Interleaved stores run 4 bytes past their 8 pixels: leave >= 2 pixels to
  // the portable tail, which overwrites them.
  p.simd_pixels = !simd_ || !yuv ? 0 : planar ? nw / 8 * 8 : (nw >= 10 ? (nw - 2) / 8 * 8 : 0);
  // The block kernels (NEON YUV) store exactly their pixels and end the row
  // with a block overlapping its neighbour: no portable tail.
  if (simd_ && yuv && simd::yuv_uses_blocks()) p.simd_pixels = nw >= 8 ? nw : 0;
  if (yuv)
    build_yuv(p);
  else
    build_interleaved(p);
}

void Letterboxer::build_interleaved(Plan& p) const {
  const int nw = p.geom.new_w, src_w = p.src_w;
  const double scale_x = 1.0 / (static_cast<double>(nw) / src_w);
  const bool planar = target_.layout == TensorLayout::kNCHW;
  const bool swap = p.kind == SourceKind::kInterleavedSwapped;
  const std::size_t n = static_cast<std::size_t>(nw) * 3;
  for (auto* v : {&p.x_index, &p.x_index1, &p.x_alpha0, &p.x_alpha1}) v->resize(n);
  // The SIMD pass: pixels while the 8 bytes read from the first tap stay in
  // the row (and so the second tap is the next pixel), whole groups of 8.
  p.hpass_pixels = 0;
  if (simd_rows_) {
    int safe = 0;
    while (safe < nw && ref_htap(safe, scale_x, src_w).s0 * 3 + 8 <= src_w * 3) ++safe;
    p.hpass_pixels = safe / 8 * 8;
    p.hpass_index.resize(nw);
    p.hpass_weights.resize(static_cast<std::size_t>(nw) * simd::kHorizontalWeights);
  }
  for (auto* v : {&p.tap_pixel0, &p.tap_pixel1}) v->resize(nw);
  p.tap_weights.resize(static_cast<std::size_t>(nw) * 2);
  p.h_pick = true;
  p.h_average = true;
  for (int x = 0; x < nw; ++x) {
    const RefTap h = ref_htap(x, scale_x, src_w);
    if (x < p.hpass_pixels) {
      p.hpass_index[x] = h.s0 * 3;
      simd::pack_weights(p.hpass_weights.data(), x, h.w0, h.w1);
    }
    // Weights (0, 2^11) pick the second tap: the taps swap places
    // (S0 0 + S1 2^11 = S1 2^11 + S0 0), so a pick's tap is always the first.
    const bool second = h.w0 == 0;
    const int s0 = second ? h.s1 : h.s0, s1 = second ? h.s0 : h.s1;
    const int a0 = second ? h.w1 : h.w0, a1 = second ? h.w0 : h.w1;
    p.tap_pixel0[x] = s0;
    p.tap_pixel1[x] = s1;
    p.tap_weights[2 * x] = static_cast<std::int16_t>(a0);
    p.tap_weights[2 * x + 1] = static_cast<std::int16_t>(a1);
    p.h_pick = p.h_pick && a0 == 1 << kCoefBits && a1 == 0;
    p.h_average =
        p.h_average && s0 == 2 * x && s1 == 2 * x + 1 && a0 == 1 << (kCoefBits - 1) && a1 == 1 << (kCoefBits - 1);
    for (int c = 0; c < 3; ++c) {
      const int sc = swap ? 2 - c : c;
      // Planar targets get the row resized channel by channel (3 runs of nw),
      // interleaved targets pixel by pixel.
      const std::size_t e = planar ? static_cast<std::size_t>(c) * nw + x : static_cast<std::size_t>(x) * 3 + c;
      p.x_index[e] = s0 * 3 + sc;
      p.x_index1[e] = s1 * 3 + sc;
      p.x_alpha0[e] = a0;
      p.x_alpha1[e] = a1;
    }
  }
  // The block kernels write interleaved bytes: NHWC rows, or NCHW float32
  // planes through simd::planar_f32.
  p.pick_kernel = simd::PickPlan{};
  p.blend_kernel = simd::BlendPlan{};
  p.average_kernel = false;
  if (!simd_rows_ || (planar && target_.dtype != DType::kFloat32)) return;
  p.average_kernel = p.h_average && nw >= simd::kAverageMinPixels;
  if (p.h_pick) {
    p.pick_blocks.resize(simd::pick_block_count(nw));
    p.pick_kernel.blocks = p.pick_blocks.data();
    p.pick_kernel.n = nw;
    p.pick_kernel.loads = simd::build_pick_blocks(p.tap_pixel0.data(), nw, src_w, swap ? 1 : 0, p.pick_blocks.data());
  }
  if (simd::blend_available()) {
    p.blend_blocks.resize(simd::pick_block_count(nw));
    const int loads = simd::build_blend_blocks(p.tap_pixel0.data(), p.tap_pixel1.data(), p.tap_weights.data(), nw,
                                               src_w, swap ? 1 : 0, p.blend_blocks.data());
    p.blend_kernel.blocks = p.blend_blocks.data();
    p.blend_kernel.n = loads > 0 ? nw : 0;
  }
}

void Letterboxer::build_yuv(Plan& p) const {
  const int nw = p.geom.new_w, nh = p.geom.new_h;
  const int cw = p.src_w / 2, ch = p.src_h / 2;
  const double scale_x = 1.0 / (static_cast<double>(nw) / p.src_w);
  const double scale_y = 1.0 / (static_cast<double>(nh) / p.src_h);
  for (auto* v : {&p.yuv_y_index, &p.yuv_c_index}) v->resize(nw);
  for (auto* v : {&p.yuv_y_weights, &p.yuv_c_weights}) v->resize(static_cast<std::size_t>(nw) * 2);
  // The second tap is read at index + 1 (Y) or + 2 (U,V pairs); at the right
  // edge its weight is 0 and the row buffers have spare elements.
  auto put = [](const RefTap& t, std::int16_t* w) {
    w[0] = static_cast<std::int16_t>(t.s1 == t.s0 ? t.w0 + t.w1 : t.w0);
    w[1] = static_cast<std::int16_t>(t.s1 == t.s0 ? 0 : t.w1);
  };
  for (int x = 0; x < nw; ++x) {
    const RefTap h = ref_htap_yuv(x, scale_x, p.src_w), hc = ref_htap_yuv(x, scale_x * 0.5, cw);
    p.yuv_y_index[x] = h.s0;
    p.yuv_c_index[x] = 2 * hc.s0;
    put(h, &p.yuv_y_weights[2 * static_cast<std::size_t>(x)]);
    put(hc, &p.yuv_c_weights[2 * static_cast<std::size_t>(x)]);
  }
  // The NEON kernels load 32 int16 from a block's first tap: 32 spare
  // elements after the Y row and the U,V row.
  grow(vrow_, static_cast<std::size_t>(p.src_w) + 32);
  grow(crow_, static_cast<std::size_t>(p.src_w) + 32);
  simd::YuvPlan& plan = p.yuv_kernel;
  plan = simd::YuvPlan{};
  plan.y_index = p.yuv_y_index.data();
  plan.c_index = p.yuv_c_index.data();
  plan.y_weights = p.yuv_y_weights.data();
  plan.c_weights = p.yuv_c_weights.data();
  plan.n = p.simd_pixels;
  plan.bgr = target_.color == PixelFormat::kBgr8 ? 1 : 0;
  if (p.simd_pixels > 0 && simd::yuv_uses_blocks()) {
    p.yuv_blocks.resize((static_cast<std::size_t>(p.simd_pixels) + 7) / 8);
    p.yuv_runs.resize(p.yuv_blocks.size());
    plan.run_count = simd::build_yuv_blocks(plan, p.yuv_blocks.data(), p.yuv_runs.data());
    plan.blocks = p.yuv_blocks.data();
    plan.runs = p.yuv_runs.data();
  }
  for (auto* v : {&p.c_row0, &p.c_row1, &p.c_beta0, &p.c_beta1}) v->resize(nh);
  for (int y = 0; y < nh; ++y) {
    const RefTap v = ref_vtap(y, scale_y * 0.5, ch, kYuvVBits);
    p.c_row0[y] = v.s0;
    p.c_row1[y] = v.s1;
    p.c_beta0[y] = v.w0;
    p.c_beta1[y] = v.w1;
  }
}

void Letterboxer::write_pad_rows(std::uint8_t* dst, int y_begin, int y_end) const {
  const LetterboxTarget& t = target_;
  const std::size_t elem = dtype_size(t.dtype);
  if (t.layout == TensorLayout::kNHWC) {
    const std::size_t pitch_bytes = static_cast<std::size_t>(t.pitch()) * 3 * elem;
    for (int y = y_begin; y < y_end; ++y) std::memcpy(dst + y * pitch_bytes, pad_row_.data(), pad_row_.size());
    return;
  }
  if (y_end <= y_begin) return;
  // Planar: each channel's pad rows are one constant run.
  const std::size_t plane = static_cast<std::size_t>(t.width) * t.height;
  const std::size_t first = static_cast<std::size_t>(y_begin) * t.width;
  const std::size_t count = static_cast<std::size_t>(y_end - y_begin) * t.width;
  for (int c = 0; c < 3; ++c) {
    const std::size_t base = c * plane + first;
    switch (t.dtype) {
      case DType::kFloat32:
        std::fill_n(reinterpret_cast<float*>(dst) + base, count, tables_.f32[c][t.pad_value]);
        break;
      case DType::kInt8:
        std::fill_n(reinterpret_cast<std::int8_t*>(dst) + base, count, tables_.i8[c][t.pad_value]);
        break;
      default: std::fill_n(dst + base, count, t.pad_value); break;
    }
  }
}

void Letterboxer::write_content_row(const std::uint8_t* hrow, std::uint8_t* dst, int y) const {
  const LetterboxTarget& t = target_;
  const LetterboxGeometry& g = plans_[current_].geom;
  const int nw = g.new_w;
  const std::size_t elem = dtype_size(t.dtype);
  if (t.layout == TensorLayout::kNHWC) {
    std::uint8_t* row = dst + static_cast<std::size_t>(y) * t.pitch() * 3 * elem;
    std::memcpy(row, pad_row_.data(), static_cast<std::size_t>(g.pad_left) * 3 * elem);
    std::uint8_t* content = row + static_cast<std::size_t>(g.pad_left) * 3 * elem;
    const int n = nw * 3;
    switch (t.dtype) {
      case DType::kUint8:
        if (content != hrow) std::memcpy(content, hrow, n);
        break;
      case DType::kInt8:
        if (content == hrow) break;  // written in place, converted
        if (tables_.i8_is_offset) {
          offset_i8_row(hrow, tables_.i8_offset, reinterpret_cast<std::int8_t*>(content), n);
        } else {
          auto* out = reinterpret_cast<std::int8_t*>(content);
          for (int x = 0; x < nw; ++x)
            for (int c = 0; c < 3; ++c) out[x * 3 + c] = tables_.i8[c][hrow[x * 3 + c]];
        }
        break;
      default: {
        auto* out = reinterpret_cast<float*>(content);
        for (int x = 0; x < nw; ++x)
          for (int c = 0; c < 3; ++c) out[x * 3 + c] = tables_.f32[c][hrow[x * 3 + c]];
        break;
      }
    }
    const std::size_t right = static_cast<std::size_t>(t.width - g.pad_left - nw);
    std::memcpy(content + static_cast<std::size_t>(n) * elem, pad_row_.data(), right * 3 * elem);
    return;
  }
  // Planar: hrow holds 3 runs of nw values, one per tensor channel.
  const std::size_t plane = static_cast<std::size_t>(t.width) * t.height;
  for (int c = 0; c < 3; ++c) {
    const std::uint8_t* in = hrow + static_cast<std::size_t>(c) * nw;
    const std::size_t base = c * plane + static_cast<std::size_t>(y) * t.width;
    switch (t.dtype) {
      case DType::kFloat32: {
        float* out = reinterpret_cast<float*>(dst) + base;
        const float pad = tables_.f32[c][t.pad_value];
        std::fill_n(out, g.pad_left, pad);
        lut_f32_row(in, tables_.f32[c].data(), out + g.pad_left, nw);
        std::fill(out + g.pad_left + nw, out + t.width, pad);
        break;
      }
      case DType::kInt8: {
        std::int8_t* out = reinterpret_cast<std::int8_t*>(dst) + base;
        const std::int8_t pad = tables_.i8[c][t.pad_value];
        std::fill_n(out, g.pad_left, pad);
        if (tables_.i8_is_offset)
          offset_i8_row(in, tables_.i8_offset, out + g.pad_left, nw);
        else
          lut_i8_row(in, tables_.i8[c].data(), out + g.pad_left, nw);
        std::fill(out + g.pad_left + nw, out + t.width, pad);
        break;
      }
      default: {
        std::uint8_t* out = dst + base;
        std::fill_n(out, g.pad_left, t.pad_value);
        std::memcpy(out + g.pad_left, in, nw);
        std::fill(out + g.pad_left + nw, out + t.width, t.pad_value);
        break;
      }
    }
  }
}

// Portable pixels [begin, begin + count) of the current row as bytes in
// tensor order: interleaved (3 per pixel) or 3 planar runs of `count`.
void Letterboxer::yuv_bytes(const Plan& p, int begin, int count, std::uint8_t* out, bool planar) const {
  const simd::YuvPlan plan = p.yuv_kernel;  // a copy: the byte stores could alias the plan
  if (planar)
    yuv_row(vrow_.data(), crow_.data(), plan, yuv_, begin, begin + count, out, out + count, out + 2 * count, 1);
  else
    yuv_row(vrow_.data(), crow_.data(), plan, yuv_, begin, begin + count, out, out + 1, out + 2, 3);
}

// YUV sources: the SIMD horizontal pass for the first simd_pixels pixels,
// the portable one for the rest, straight into the destination row with its
// padding.
void Letterboxer::write_content_row_simd(const Plan& p, std::uint8_t* dst, int y) const {
  const LetterboxTarget& t = target_;
  const LetterboxGeometry& g = p.geom;
  const int nw = g.new_w, done = p.simd_pixels, rest = nw - done;
  const std::int16_t* vrow = vrow_.data();
  const simd::YuvPlan yplan = p.yuv_kernel;
  if (t.layout == TensorLayout::kNHWC) {
    std::uint8_t* row = dst + static_cast<std::size_t>(y) * t.pitch() * 3;
    std::memcpy(row, pad_row_.data(), static_cast<std::size_t>(g.pad_left) * 3);
    std::uint8_t* content = row + static_cast<std::size_t>(g.pad_left) * 3;
    const std::uint8_t flip = t.dtype == DType::kInt8 ? 0x80 : 0x00;
    std::uint8_t* tail = hrow_.data();
    simd::yuv_interleaved(vrow, crow_.data(), yplan, yuv_, content, flip);
    yuv_bytes(p, done, rest, tail, false);
    for (int i = 0; i < 3 * rest; ++i) content[3 * done + i] = tail[i] ^ flip;
    std::memcpy(content + static_cast<std::size_t>(nw) * 3, pad_row_.data(),
                static_cast<std::size_t>(t.width - g.pad_left - nw) * 3);
    return;
  }
  // NCHW float32.
  const std::size_t plane = static_cast<std::size_t>(t.width) * t.height;
  float* planes[3];
  for (int c = 0; c < 3; ++c)
    planes[c] = reinterpret_cast<float*>(dst) + c * plane + static_cast<std::size_t>(y) * t.width;
  simd::yuv_planar_f32(vrow, crow_.data(), yplan, yuv_, planes[0] + g.pad_left, planes[1] + g.pad_left,
                       planes[2] + g.pad_left, t.mean, t.std);
  if (rest > 0) yuv_bytes(p, done, rest, hrow_.data(), true);
  for (int c = 0; c < 3; ++c) {
    float* out = planes[c];
    const float pad = tables_.f32[c][t.pad_value];
    std::fill_n(out, g.pad_left, pad);
    if (rest > 0)
      lut_f32_row(hrow_.data() + static_cast<std::size_t>(c) * rest, tables_.f32[c].data(), out + g.pad_left + done,
                  rest);
    std::fill(out + g.pad_left + nw, out + t.width, pad);
  }
}

// `count` (1 or 2) source rows resized horizontally into out[j] (tensor
// element order): the SIMD kernel for its pixels, both rows in one pass, the
// portable loop for the rest.
void Letterboxer::hpass_fill(const std::uint8_t* const* rows, int count, const Plan& p,
                             std::int16_t* const* out) const {
  const int nw = p.geom.new_w, done = p.hpass_pixels;
  const bool planar = target_.layout == TensorLayout::kNCHW;
  if (done > 0) {
    simd::HorizontalPlan plan;
    plan.index = p.hpass_index.data();
    plan.weights = p.hpass_weights.data();
    plan.n = done;
    plan.swap = p.kind == SourceKind::kInterleavedSwapped ? 1 : 0;
    plan.planar = planar ? 1 : 0;
    plan.plane = nw;
    simd::hpass(rows, count, plan, out);
  }
  if (done == nw) return;
  // The rest: one run of 3 * (nw - done) elements, or one per channel.
  const int runs = planar ? 3 : 1, first = planar ? done : 3 * done, n = planar ? nw - done : 3 * (nw - done);
  for (int j = 0; j < count; ++j)
    for (int r = 0; r < runs; ++r) {
      const std::size_t e = static_cast<std::size_t>(r) * nw + first;
      hpass_row(rows[j], p.x_index.data() + e, p.x_index1.data() + e, p.x_alpha0.data() + e, p.x_alpha1.data() + e,
                out[j] + e, n);
    }
}

// Source row `row` resized horizontally, from the two-row cache or resized
// now into the slot not holding `keep` (the older one when both are free).
const std::int16_t* Letterboxer::hpass_cached(const ImageView& src, const Plan& p, int row, int keep) const {
  for (int k = 0; k < 2; ++k)
    if (hsum_row_[k] == row) return hsum_[k].data();
  int slot = hsum_row_[0] <= hsum_row_[1] ? 0 : 1;
  if (hsum_row_[slot] == keep) slot = 1 - slot;
  const std::uint8_t* in = src.row(row);
  std::int16_t* out = hsum_[slot].data();
  hpass_fill(&in, 1, p, &out);
  hsum_row_[slot] = row;
  return hsum_[slot].data();
}

// NCHW float32: the padding of row y in each plane; content[c] is where
// plane c's new_w values go.
void Letterboxer::planar_f32_padding(std::uint8_t* dst, int y, float* content[3]) const {
  const LetterboxTarget& t = target_;
  const LetterboxGeometry& g = plans_[current_].geom;
  const std::size_t plane = static_cast<std::size_t>(t.width) * t.height;
  for (int c = 0; c < 3; ++c) {
    float* out = reinterpret_cast<float*>(dst) + c * plane + static_cast<std::size_t>(y) * t.width;
    const float pad = tables_.f32[c][t.pad_value];
    std::fill_n(out, g.pad_left, pad);
    std::fill(out + g.pad_left + g.new_w, out + t.width, pad);
    content[c] = out + g.pad_left;
  }
}

// Interleaved sources into NCHW float32: the vertical pass of each channel
// run converted straight into its plane, with the row's padding.
void Letterboxer::write_planar_f32_row(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1,
                                       std::uint8_t* dst, int y) const {
  const int nw = plans_[current_].geom.new_w;
  float* content[3];
  planar_f32_padding(dst, y, content);
  for (int c = 0; c < 3; ++c) {
    const std::size_t run = static_cast<std::size_t>(c) * nw;
    simd::vpass_f32(h0 + run, h1 + run, b0, b1, content[c], nw, target_.mean[c], target_.std[c]);
  }
}

// NHWC int8 with q = p - 128: bytes are written as p ^ 0x80.
bool Letterboxer::i8_flips() const {
  return target_.dtype == DType::kInt8 && tables_.i8_is_offset && tables_.i8_offset == -128;
}

// Content row y from a SIMD block kernel, kernel(out, xor_mask) writing
// its 3 new_w bytes in tensor order: in place into NHWC uint8 and flipped
// int8 rows, else into hrow_ and converted (NCHW float32 by
// simd::planar_f32).
template <typename Kernel>
void Letterboxer::write_kernel_row(const Plan& p, std::uint8_t* dst, int y, Kernel&& kernel) const {
  const LetterboxTarget& t = target_;
  const LetterboxGeometry& g = p.geom;
  if (t.layout == TensorLayout::kNCHW) {  // float32
    kernel(hrow_.data(), std::uint8_t{0x00});
    float* content[3];
    planar_f32_padding(dst, y, content);
    simd::planar_f32(hrow_.data(), g.new_w, content[0], content[1], content[2], t.mean, t.std);
    return;
  }
  const bool in_place = t.dtype == DType::kUint8 || i8_flips();
  std::uint8_t* out = in_place ? dst + (static_cast<std::size_t>(y) * t.pitch() + g.pad_left) * 3 : hrow_.data();
  kernel(out, in_place && t.dtype == DType::kInt8 ? std::uint8_t{0x80} : std::uint8_t{0x00});
  write_content_row(out, dst, y);
}

// Content row y from a portable row kernel, fill(out) writing its 3 new_w
// bytes: in place into NHWC uint8 rows, else into hrow_ and converted.
template <typename Fill>
void Letterboxer::write_portable_row(const Plan& p, std::uint8_t* dst, int y, Fill&& fill) const {
  const LetterboxTarget& t = target_;
  const bool direct = t.layout == TensorLayout::kNHWC && t.dtype == DType::kUint8;
  std::uint8_t* out = direct ? dst + (static_cast<std::size_t>(y) * t.pitch() + p.geom.pad_left) * 3 : hrow_.data();
  fill(out);
  write_content_row(out, dst, y);
}

// The source row `in` copied into content row y (a pick row): the SIMD
// shuffle, or the portable gather, then converted.
void Letterboxer::write_pick_row(const Plan& p, const std::uint8_t* in, std::uint8_t* dst, int y) const {
  if (p.pick_kernel.loads > 0) {
    write_kernel_row(p, dst, y,
                     [&](std::uint8_t* out, std::uint8_t xor_mask) { simd::pick(in, p.pick_kernel, out, xor_mask); });
    return;
  }
  write_portable_row(p, dst, y, [&](std::uint8_t* out) { gather_row(in, p.x_index.data(), out, p.geom.new_w * 3); });
}

// Source rows r0, r1 averaged into content row y (an average row): the
// SIMD kernel, or the portable loop, then converted.
void Letterboxer::write_average_row(const Plan& p, const std::uint8_t* r0, const std::uint8_t* r1, std::uint8_t* dst,
                                    int y) const {
  const int swap = p.kind == SourceKind::kInterleavedSwapped ? 1 : 0;
  if (p.average_kernel) {
    write_kernel_row(p, dst, y, [&](std::uint8_t* out, std::uint8_t xor_mask) {
      simd::average(r0, r1, p.geom.new_w, swap, out, xor_mask);
    });
    return;
  }
  write_portable_row(p, dst, y, [&](std::uint8_t* out) {
    average_row(r0, r1, swap, target_.layout == TensorLayout::kNCHW, out, p.geom.new_w);
  });
}

// Interleaved sources: the horizontally resized source rows content row y
// needs. A row whose vertical weight is 0 adds nothing ((h * 0) >> 16 = 0):
// it is not resized, the other row stands in for it (every row of an exact
// 1/2, 1/3, ... downscale).
void Letterboxer::hpass_rows(const ImageView& src, const Plan& p, int y, const std::int16_t** h0,
                             const std::int16_t** h1) const {
  const int r0 = p.y_row0[y], r1 = p.y_row1[y];
  if (p.y_beta1[y] == 0 || p.y_beta0[y] == 0) {
    *h0 = *h1 = hpass_cached(src, p, p.y_beta1[y] == 0 ? r0 : r1, -1);
    return;
  }
  if (hsum_row_[0] != r0 && hsum_row_[1] != r0 && hsum_row_[0] != r1 && hsum_row_[1] != r1) {
    // Both new (every row when downscaling by 2 or more): one pass for both.
    const std::uint8_t* in[2] = {src.row(r0), src.row(r1)};
    std::int16_t* out[2] = {hsum_[0].data(), hsum_[1].data()};
    hpass_fill(in, 2, p, out);
    hsum_row_[0] = r0;
    hsum_row_[1] = r1;
  }
  *h0 = hpass_cached(src, p, r0, r1);
  *h1 = hpass_cached(src, p, r1, r0);
}

// YUV sources, the vertical pass of content row y: the two luma rows
// blended into vrow_ and the two chroma rows into crow_ (U,V interleaved).
void Letterboxer::vblend_rows(const ImageView& src, const Plan& p, int y) const {
  const int n = src.width;
  const std::uint8_t* r0 = src.row(p.y_row0[y]);
  const std::uint8_t* r1 = src.row(p.y_row1[y]);
  if (simd_)
    simd::vblend(r0, r1, p.y_beta0[y], p.y_beta1[y], vrow_.data(), n);
  else
    vblend_row(r0, r1, p.y_beta0[y], p.y_beta1[y], vrow_.data(), n);
  const std::size_t c0 = static_cast<std::size_t>(p.c_row0[y]), c1 = static_cast<std::size_t>(p.c_row1[y]);
  const int b0 = p.c_beta0[y], b1 = p.c_beta1[y];
  if (src.format == PixelFormat::kNv12) {
    const std::uint8_t* uv0 = src.chroma[0] + c0 * src.chroma_stride[0];
    const std::uint8_t* uv1 = src.chroma[0] + c1 * src.chroma_stride[0];
    if (simd_)
      simd::vblend(uv0, uv1, b0, b1, crow_.data(), src.width);
    else
      vblend_row(uv0, uv1, b0, b1, crow_.data(), src.width);
    return;
  }
  vblend_interleave_row(src.chroma[0] + c0 * src.chroma_stride[0], src.chroma[0] + c1 * src.chroma_stride[0],
                        src.chroma[1] + c0 * src.chroma_stride[1], src.chroma[1] + c1 * src.chroma_stride[1], b0, b1,
                        crow_.data(), src.width / 2);
}

Status Letterboxer::run(const ImageView& src, void* dst_void) {
  if (!configured_) return internal_error(MessageId::kLetterboxNotConfigured);
  RKYOLO_RETURN_IF_ERROR(check_image(src));
  if (dst_void == nullptr) return invalid_argument(MessageId::kLetterboxNullDestination);
  const bool yuv = is_yuv420(src.format);
  if (yuv) yuv_ = yuv_coeffs(src.matrix, src.full_range);
  prepare(src.width, src.height, src.format);
  const Plan& p = plans_[current_];
  auto* dst = static_cast<std::uint8_t*>(dst_void);
  const LetterboxGeometry& g = p.geom;
  write_pad_rows(dst, 0, g.pad_top);
  write_pad_rows(dst, g.pad_top + g.new_h, target_.height);
  hsum_row_[0] = hsum_row_[1] = -1;  // a new image

  // NHWC uint8 rows can be resized straight into the destination; from
  // BGR/RGB sources NHWC int8 (q = p - 128) rows too, the vertical pass
  // flipping the top bit as it stores, and NCHW float32 rows are converted
  // by the SIMD vertical pass itself.
  const bool direct = target_.layout == TensorLayout::kNHWC && target_.dtype == DType::kUint8;
  const bool direct_i8 = target_.layout == TensorLayout::kNHWC && i8_flips();
  const bool planar = target_.layout == TensorLayout::kNCHW;
  const bool planar_f32 = planar && target_.dtype == DType::kFloat32 && simd_rows_;
  const int n = g.new_w * 3;
  for (int y = 0; y < g.new_h; ++y) {
    const int dy = y + g.pad_top;
    std::uint8_t* row = dst + (static_cast<std::size_t>(dy) * target_.pitch() + g.pad_left) * 3;
    std::uint8_t* out = direct ? row : hrow_.data();
    if (!yuv) {
      // Every tap of weight (2^11, 0) (exact odd integer downscales, 1:1): a copy.
      int pick = -1;
      if (p.h_pick && p.y_beta0[y] == 1 << kCoefBits && p.y_beta1[y] == 0) pick = p.y_row0[y];
      if (p.h_pick && p.y_beta1[y] == 1 << kCoefBits && p.y_beta0[y] == 0) pick = p.y_row1[y];
      if (pick >= 0) {
        write_pick_row(p, src.row(pick), dst, dy);
        continue;
      }
      // Every tap of weight (2^10, 2^10) (exact 2:1): a 2x2 average.
      constexpr int kHalf = 1 << (kCoefBits - 1);
      if (p.h_average && p.y_beta0[y] == kHalf && p.y_beta1[y] == kHalf) {
        write_average_row(p, src.row(p.y_row0[y]), src.row(p.y_row1[y]), dst, dy);
        continue;
      }
      if (p.blend_kernel.n > 0) {
        const std::uint8_t *r0 = src.row(p.y_row0[y]), *r1 = src.row(p.y_row1[y]);
        write_kernel_row(p, dst, dy, [&](std::uint8_t* o, std::uint8_t xor_mask) {
          simd::blend(r0, r1, p.y_beta0[y], p.y_beta1[y], p.blend_kernel, o, xor_mask);
        });
        continue;
      }
      const std::int16_t *h0, *h1;
      hpass_rows(src, p, y, &h0, &h1);
      const int b0 = p.y_beta0[y], b1 = p.y_beta1[y];
      if (planar_f32) {
        write_planar_f32_row(h0, h1, b0, b1, dst, dy);
        continue;
      }
      if (direct_i8) out = row;
      const std::uint8_t flip = direct_i8 ? 0x80 : 0x00;
      if (simd_rows_)
        simd::vpass(h0, h1, b0, b1, out, n, flip);
      else
        vpass_row(h0, h1, b0, b1, out, n, flip);
      write_content_row(out, dst, dy);
      continue;
    }
    vblend_rows(src, p, y);
    if (p.simd_pixels > 0) {
      write_content_row_simd(p, dst, dy);
      continue;
    }
    yuv_bytes(p, 0, g.new_w, out, planar);
    write_content_row(out, dst, dy);
  }
  return Status();
}

}  // namespace rkyolo::core
