#include "core/letterbox.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/letterbox_simd.h"
#include "core/quantize.h"
#include "core/simd.h"

namespace rkyolo::core {

namespace {

// Fixed-point bilinear weights: 7 bits vertically (so a blended row fits in
// int16: 128 * 255 = 32640), 11 bits horizontally (OpenCV's
// INTER_RESIZE_COEF_BITS). One rounding at the very end. Measured against
// cv2.resize on real photos this differs by at most 1 grey level, exactly
// like OpenCV's own SIMD path differs from its scalar one.
constexpr int kVBits = 7;
constexpr int kHBits = 11;
constexpr int kRoundShift = kVBits + kHBits;
constexpr int kRoundBias = 1 << (kRoundShift - 1);

// Python's round(): half to even (the default FP rounding mode).
int py_round(double v) {
  return static_cast<int>(std::nearbyint(v));
}

// Weight of the second tap in `bits` fixed point, round half to even.
int coef(float frac, int bits) {
  return static_cast<int>(std::lrint(frac * static_cast<float>(1 << bits)));
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

// OpenCV's horizontal taps: at the borders the weight collapses onto the
// edge pixel.
RefTap ref_htap(int dx, double scale, int size) {
  float fx = static_cast<float>((dx + 0.5) * scale - 0.5);
  int sx = static_cast<int>(std::floor(fx));
  fx -= static_cast<float>(sx);
  if (sx < 0) fx = 0, sx = 0;
  if (sx >= size - 1) fx = 0, sx = size - 1;
  const int w1 = coef(fx, kHBits);
  return {sx, std::min(sx + 1, size - 1), (1 << kHBits) - w1, w1};
}

// OpenCV's vertical taps: weights kept, rows clamped into the image.
RefTap ref_vtap(int dy, double scale, int size) {
  float fy = static_cast<float>((dy + 0.5) * scale - 0.5);
  int sy = static_cast<int>(std::floor(fy));
  fy -= static_cast<float>(sy);
  auto clip = [size](int v) { return std::clamp(v, 0, size - 1); };
  const int w1 = coef(fy, kVBits);
  return {clip(sy), clip(sy + 1), (1 << kVBits) - w1, w1};
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

void letterbox_ref(const ImageView& src, const LetterboxTarget& t, void* dst) {
  const LetterboxGeometry g = letterbox_geometry(src.width, src.height, t.width, t.height);
  const PixelTables tab = make_pixel_tables(t);
  const bool swap = src.format != t.color;
  const bool resize = g.new_w != src.width || g.new_h != src.height;
  const double scale_x = 1.0 / (static_cast<double>(g.new_w) / src.width);
  const double scale_y = 1.0 / (static_cast<double>(g.new_h) / src.height);
  for (int y = 0; y < t.height; ++y) {
    for (int x = 0; x < t.width; ++x) {
      const int cx = x - g.pad_left, cy = y - g.pad_top;
      const bool inside = cx >= 0 && cx < g.new_w && cy >= 0 && cy < g.new_h;
      for (int c = 0; c < 3; ++c) {
        int p = t.pad_value;
        if (inside) {
          const int sc = swap ? 2 - c : c;
          if (!resize) {
            p = src.row(cy)[cx * 3 + sc];
          } else {
            const RefTap h = ref_htap(cx, scale_x, src.width);
            const RefTap v = ref_vtap(cy, scale_y, src.height);
            const std::uint8_t* r0 = src.row(v.s0);
            const std::uint8_t* r1 = src.row(v.s1);
            // Vertical blend of the two source rows, then horizontal.
            const long left = static_cast<long>(v.w0) * r0[h.s0 * 3 + sc] + static_cast<long>(v.w1) * r1[h.s0 * 3 + sc];
            const long right =
                static_cast<long>(v.w0) * r0[h.s1 * 3 + sc] + static_cast<long>(v.w1) * r1[h.s1 * 3 + sc];
            const long sum = h.w0 * left + h.w1 * right;
            p = static_cast<int>(std::clamp<long>((sum + kRoundBias) >> kRoundShift, 0, 255));
          }
        }
        store_ref(t, tab, dst, x, y, c, p);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Optimized path: vertical blend of two source rows (contiguous, vectorized),
// then one gather per output element, then a conversion written straight
// into the destination row. Integer arithmetic is identical to the reference.
// ---------------------------------------------------------------------------

namespace {

RKYOLO_MULTIVERSION
void vblend_row(const std::uint8_t* RKYOLO_RESTRICT s0, const std::uint8_t* RKYOLO_RESTRICT s1, int b0, int b1,
                std::int16_t* RKYOLO_RESTRICT out, int n) {
  const std::int16_t w0 = static_cast<std::int16_t>(b0), w1 = static_cast<std::int16_t>(b1);
  for (int i = 0; i < n; ++i) out[i] = static_cast<std::int16_t>(w0 * s0[i] + w1 * s1[i]);
}

RKYOLO_MULTIVERSION
void hblend_row(const std::int16_t* RKYOLO_RESTRICT v, const std::int32_t* RKYOLO_RESTRICT idx,
                const std::int32_t* RKYOLO_RESTRICT a0, const std::int32_t* RKYOLO_RESTRICT a1,
                std::uint8_t* RKYOLO_RESTRICT out, int n) {
  for (int e = 0; e < n; ++e) {
    const std::int32_t i = idx[e];
    std::int32_t s = (a0[e] * v[i] + a1[e] * v[i + 3] + kRoundBias) >> kRoundShift;
    s = s < 0 ? 0 : s;
    out[e] = static_cast<std::uint8_t>(s > 255 ? 255 : s);
  }
}

RKYOLO_MULTIVERSION
void gather_row(const std::uint8_t* RKYOLO_RESTRICT src, const std::int32_t* RKYOLO_RESTRICT idx,
                std::uint8_t* RKYOLO_RESTRICT out, int n) {
  for (int e = 0; e < n; ++e) out[e] = src[idx[e]];
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

}  // namespace

Status Letterboxer::configure(const LetterboxTarget& target) {
  if (target.width <= 0 || target.height <= 0) return invalid_argument("letterbox target size must be positive");
  if (target.layout != TensorLayout::kNCHW && target.layout != TensorLayout::kNHWC)
    return invalid_argument("letterbox can only write NCHW or NHWC tensors");
  if (target.dtype != DType::kFloat32 && target.dtype != DType::kUint8 && target.dtype != DType::kInt8)
    return invalid_argument(std::string("letterbox cannot write ") + dtype_name(target.dtype) + " tensors");
  if (target.layout == TensorLayout::kNHWC && target.row_stride_pixels != 0 && target.row_stride_pixels < target.width)
    return invalid_argument("row stride " + std::to_string(target.row_stride_pixels) +
                            " is smaller than the input width " + std::to_string(target.width));
  if (target.dtype == DType::kInt8 && !(target.quant.scale > 0))
    return invalid_argument("int8 input needs a positive quantization scale");
  for (int c = 0; c < 3; ++c)
    if (!(target.std[c] != 0)) return invalid_argument("input normalization std must be non-zero");
  target_ = target;
  tables_ = make_pixel_tables(target_);
  configured_ = true;
  geom_ = LetterboxGeometry{};
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
  const bool kind_ok = (target_.layout == TensorLayout::kNHWC &&
                        (target_.dtype == DType::kUint8 ||
                         (target_.dtype == DType::kInt8 && tables_.i8_is_offset && tables_.i8_offset == -128))) ||
                       (target_.layout == TensorLayout::kNCHW && target_.dtype == DType::kFloat32);
  simd_ = enabled && configured_ && kind_ok && simd::available();
  geom_ = LetterboxGeometry{};  // rebuild the plan on the next frame
}

const LetterboxGeometry& Letterboxer::prepare(int src_w, int src_h) {
  if (src_w != geom_.src_w || src_h != geom_.src_h) build_transform(src_w, src_h);
  return geom_;
}

void Letterboxer::build_transform(int src_w, int src_h) {
  geom_ = letterbox_geometry(src_w, src_h, target_.width, target_.height);
  identity_ = geom_.new_w == src_w && geom_.new_h == src_h;
  const int nw = geom_.new_w, nh = geom_.new_h;
  const double scale_x = 1.0 / (static_cast<double>(nw) / src_w);
  const double scale_y = 1.0 / (static_cast<double>(nh) / src_h);
  const bool planar = target_.layout == TensorLayout::kNCHW;
  const std::size_t n = static_cast<std::size_t>(nw) * 3;
  x_index_.resize(n);
  x_alpha0_.resize(n);
  x_alpha1_.resize(n);
  for (int x = 0; x < nw; ++x) {
    const RefTap h = ref_htap(x, scale_x, src_w);
    for (int c = 0; c < 3; ++c) {
      const int sc = swap_rb_ ? 2 - c : c;
      // Planar targets get the row resized channel by channel (3 runs of nw),
      // interleaved targets pixel by pixel.
      const std::size_t e = planar ? static_cast<std::size_t>(c) * nw + x : static_cast<std::size_t>(x) * 3 + c;
      x_index_[e] = identity_ ? x * 3 + sc : h.s0 * 3 + sc;
      x_alpha0_[e] = h.w0;
      // The second tap is always read at index + 3; when it lies beyond the
      // row its weight is 0 and vrow_ has 3 spare elements.
      x_alpha1_[e] = h.s1 == h.s0 ? 0 : h.w1;
      if (h.s1 == h.s0) x_alpha0_[e] = h.w0 + h.w1;
    }
  }
  y_row0_.resize(nh);
  y_row1_.resize(nh);
  y_beta0_.resize(nh);
  y_beta1_.resize(nh);
  for (int y = 0; y < nh; ++y) {
    const RefTap v = ref_vtap(y, scale_y, src_h);
    y_row0_[y] = v.s0;
    y_row1_[y] = v.s1;
    y_beta0_[y] = v.w0;
    y_beta1_[y] = v.w1;
  }
  // 16 spare elements: the SIMD kernel reads 8 int16 from each pixel's offset.
  vrow_.assign(static_cast<std::size_t>(src_w) * 3 + 16, 0);
  hrow_.resize(n + 16);
  simd_pixels_ = 0;
  if (simd_ && !identity_) {
    // Interleaved stores run 4 bytes past their 8 pixels: leave >= 2 pixels
    // to the scalar tail, which overwrites them.
    simd_pixels_ = planar ? nw / 8 * 8 : (nw >= 10 ? (nw - 2) / 8 * 8 : 0);
    px_index_.resize(nw);
    px_weights_.assign(static_cast<std::size_t>(simd_pixels_) * 8, 0);
    for (int x = 0; x < nw; ++x) {
      const RefTap h = ref_htap(x, scale_x, src_w);
      px_index_[x] = h.s0 * 3;
      if (x >= simd_pixels_) continue;
      const int a0 = h.s1 == h.s0 ? h.w0 + h.w1 : h.w0, a1 = h.s1 == h.s0 ? 0 : h.w1;
      simd::pack_weights(px_weights_.data(), x, a0, a1);
    }
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
  const LetterboxGeometry& g = geom_;
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

// The SIMD horizontal pass for the first simd_pixels_ pixels, the portable
// one for the rest, straight into the destination row with its padding.
bool Letterboxer::write_content_row_simd(const std::int16_t* vrow, std::uint8_t* dst, int y) const {
  const LetterboxTarget& t = target_;
  const LetterboxGeometry& g = geom_;
  const int nw = g.new_w, done = simd_pixels_, rest = nw - simd_pixels_;
  simd::HorizontalPlan plan;
  plan.index = px_index_.data();
  plan.weights = px_weights_.data();
  plan.n = done;
  plan.swap = swap_rb_ ? 1 : 0;
  if (t.layout == TensorLayout::kNHWC) {
    std::uint8_t* row = dst + static_cast<std::size_t>(y) * t.pitch() * 3;
    std::memcpy(row, pad_row_.data(), static_cast<std::size_t>(g.pad_left) * 3);
    std::uint8_t* content = row + static_cast<std::size_t>(g.pad_left) * 3;
    const std::uint8_t flip = t.dtype == DType::kInt8 ? 0x80 : 0x00;
    simd::hblend_interleaved(vrow, plan, content, flip);
    std::uint8_t* tail = hrow_.data();
    hblend_row(vrow, x_index_.data() + 3 * done, x_alpha0_.data() + 3 * done, x_alpha1_.data() + 3 * done, tail,
               3 * rest);
    for (int i = 0; i < 3 * rest; ++i) content[3 * done + i] = tail[i] ^ flip;
    std::memcpy(content + static_cast<std::size_t>(nw) * 3, pad_row_.data(),
                static_cast<std::size_t>(t.width - g.pad_left - nw) * 3);
    return true;
  }
  // NCHW float32.
  const std::size_t plane = static_cast<std::size_t>(t.width) * t.height;
  float* planes[3];
  for (int c = 0; c < 3; ++c)
    planes[c] = reinterpret_cast<float*>(dst) + c * plane + static_cast<std::size_t>(y) * t.width;
  simd::hblend_planar_f32(vrow, plan, planes[0] + g.pad_left, planes[1] + g.pad_left, planes[2] + g.pad_left, t.mean,
                          t.std);
  for (int c = 0; c < 3; ++c) {
    float* out = planes[c];
    const float pad = tables_.f32[c][t.pad_value];
    std::fill_n(out, g.pad_left, pad);
    if (rest > 0) {
      const std::size_t e = static_cast<std::size_t>(c) * nw + done;
      hblend_row(vrow, x_index_.data() + e, x_alpha0_.data() + e, x_alpha1_.data() + e, hrow_.data(), rest);
      lut_f32_row(hrow_.data(), tables_.f32[c].data(), out + g.pad_left + done, rest);
    }
    std::fill(out + g.pad_left + nw, out + t.width, pad);
  }
  return true;
}

Status Letterboxer::run(const ImageView& src, void* dst_void) {
  if (!configured_) return internal_error("letterbox used before configure()");
  if (src.empty()) return invalid_image("the image is empty");
  if (src.stride_bytes < static_cast<std::size_t>(src.width) * 3)
    return invalid_argument("image row stride " + std::to_string(src.stride_bytes) + " is smaller than width * 3");
  if (dst_void == nullptr) return invalid_argument("letterbox destination is null");
  const bool swap = src.format != target_.color;
  if (swap != swap_rb_) {
    swap_rb_ = swap;
    geom_ = LetterboxGeometry{};  // the index table encodes the channel order
  }
  prepare(src.width, src.height);
  auto* dst = static_cast<std::uint8_t*>(dst_void);
  const LetterboxGeometry& g = geom_;
  write_pad_rows(dst, 0, g.pad_top);
  write_pad_rows(dst, g.pad_top + g.new_h, target_.height);

  // NHWC uint8 rows can be resized straight into the destination.
  const bool direct = target_.layout == TensorLayout::kNHWC && target_.dtype == DType::kUint8;
  const int n = g.new_w * 3;
  for (int y = 0; y < g.new_h; ++y) {
    const int dy = y + g.pad_top;
    std::uint8_t* out = direct ? dst + (static_cast<std::size_t>(dy) * target_.pitch() + g.pad_left) * 3 : hrow_.data();
    if (identity_) {
      gather_row(src.row(y), x_index_.data(), out, n);
    } else {
      const int b1 = y_beta1_[y];
      const std::uint8_t* r0 = src.row(y_row0_[y]);
      const std::uint8_t* r1 = src.row(y_row1_[y]);
      if (simd_) {
        simd::vblend(r0, r1, y_beta0_[y], b1, vrow_.data(), src.width * 3);
        if (write_content_row_simd(vrow_.data(), dst, dy)) continue;
      } else {
        vblend_row(r0, r1, y_beta0_[y], b1, vrow_.data(), src.width * 3);
      }
      hblend_row(vrow_.data(), x_index_.data(), x_alpha0_.data(), x_alpha1_.data(), out, n);
    }
    write_content_row(out, dst, dy);
  }
  return Status();
}

}  // namespace rkyolo::core
