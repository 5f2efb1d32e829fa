#include "core/letterbox_simd.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RKYOLO_HAVE_X86_SIMD 1
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define RKYOLO_HAVE_NEON 1
#endif

#if defined(RKYOLO_HAVE_X86_SIMD)
#define RKYOLO_SIMD_TARGET __attribute__((target("avx2")))
#else
#define RKYOLO_SIMD_TARGET
#endif

namespace rkyolo::core::simd {

int build_yuv_blocks(const YuvPlan& plan, YuvBlock* blocks, YuvRun* runs) {
  constexpr int kSpan = 32;  // int16 elements loaded per row and block (4 registers)
  if (plan.n < 8) return 0;
  const int count = (plan.n + 7) / 8;
  int run_count = 0;
  for (int b = 0; b < count; ++b) {
    // The last block of a width that is not a multiple of 8 ends at the
    // last pixel, overlapping its neighbour.
    const int x0 = std::min(8 * b, plan.n - 8);
    YuvBlock& blk = blocks[b];
    blk = YuvBlock{};
    int y_lo = plan.y_index[x0], y_hi = y_lo, c_lo = plan.c_index[x0], c_hi = c_lo;
    bool nearest = true, quarter = true;
    for (int j = 0; j < 8; ++j) {
      const int x = x0 + j;
      const int yi = plan.y_index[x], ci = plan.c_index[x];
      const bool y1 = plan.y_weights[2 * x + 1] != 0, c1 = plan.c_weights[2 * x + 1] != 0;
      nearest = nearest && !y1 && plan.y_weights[2 * x] == 1 << 11;
      const int cw0 = plan.c_weights[2 * x], cw1 = plan.c_weights[2 * x + 1];
      quarter = quarter && cw0 + cw1 == 1 << 11 && (cw0 == 3 << 9 || cw1 == 3 << 9);
      y_lo = std::min(y_lo, yi);
      y_hi = std::max(y_hi, yi + (y1 ? 1 : 0));
      c_lo = std::min(c_lo, ci);
      c_hi = std::max(c_hi, ci + (c1 ? 3 : 1));
    }
    const bool fits = y_hi - y_lo < kSpan && c_hi - c_lo < kSpan;
    blk.y_base = fits ? y_lo : 0;
    blk.c_base = fits ? c_lo : 0;
    // Byte index of int16 element e (relative to the base), or 0xFF: zero.
    auto bytes = [](std::uint8_t* table, int j, int e, bool used) {
      table[2 * j] = used ? static_cast<std::uint8_t>(2 * e) : 0xFF;
      table[2 * j + 1] = used ? static_cast<std::uint8_t>(2 * e + 1) : 0xFF;
    };
    const bool nearest_quarter = nearest && quarter;
    for (int j = 0; j < 8; ++j) {
      const int x = x0 + j;
      const int yi = plan.y_index[x] - blk.y_base, ci = plan.c_index[x] - blk.c_base;
      const bool y1 = plan.y_weights[2 * x + 1] != 0, c1 = plan.c_weights[2 * x + 1] != 0;
      // Quarter blocks: the heavier chroma tap (weight 3/4) first.
      const int heavy = nearest_quarter && plan.c_weights[2 * x + 1] == 3 << 9 ? 2 : 0;
      for (int t = 0; t < 2; ++t) {
        blk.y_w[t][j] = plan.y_weights[2 * x + t];
        blk.c_w[t][j] = plan.c_weights[2 * x + t];
      }
      if (!fits) continue;
      bytes(blk.y_table[0], j, yi, true);
      bytes(blk.y_table[1], j, yi + 1, y1);
      for (int c = 0; c < 2; ++c) {
        bytes(blk.c_table[2 * c], j, ci + heavy + c, true);
        bytes(blk.c_table[2 * c + 1], j, ci + 2 - heavy + c, c1);
      }
    }
    const std::int32_t mode = !fits             ? kYuvGather
                              : nearest_quarter ? kYuvTableNearestQuarter
                              : nearest         ? kYuvTableNearest
                                                : kYuvTable;
    const std::int32_t shift = 8 * b - x0;
    if (run_count > 0 && runs[run_count - 1].mode == mode && runs[run_count - 1].shift == shift) {
      runs[run_count - 1].end = b + 1;
    } else {
      runs[run_count] = YuvRun{b, b + 1, mode, shift};
      ++run_count;
    }
  }
  return run_count;
}

namespace {

// PickBlock::table's layout: one pshufb control per register (AVX2), or one
// tbl index vector into all of them (NEON).
#if defined(RKYOLO_HAVE_X86_SIMD)
constexpr bool kPickTablePerLoad = true;
#else
constexpr bool kPickTablePerLoad = false;
#endif

// Blocks of 16 output bytes (the last one ending at the last byte) over
// `taps` source pixel maps (tap t of output byte e: source byte
// 3 pixel[t][e / 3] + channel, swap applied): the registers of 16 source
// bytes the widest block needs (at least min_loads; 0 when more than
// kMaxPickLoads or the row is too short), then put(b, base, source) per
// block, its loads inside the row.
template <typename Put>
int plan_blocks(const std::int32_t* const* pixel, int taps, int n, int src_w, int swap, int min_loads, Put put) {
  const int bytes = 3 * n, row = 3 * src_w;
  if (bytes < 16) return 0;
  const int count = pick_block_count(n);
  auto source = [&](int t, int e) { return 3 * pixel[t][e / 3] + (swap ? 2 - e % 3 : e % 3); };
  auto first = [&](int b) { return std::min(16 * b, bytes - 16); };
  auto span = [&](int b, int& lo, int& hi) {
    lo = hi = source(0, first(b));
    for (int t = 0; t < taps; ++t)
      for (int i = 0; i < 16; ++i)
        lo = std::min(lo, source(t, first(b) + i)), hi = std::max(hi, source(t, first(b) + i));
  };
  int loads = min_loads;
  for (int b = 0; b < count; ++b) {
    int lo, hi;
    span(b, lo, hi);
    loads = std::max(loads, (hi - lo) / 16 + 1);
  }
  if (loads > kMaxPickLoads || row < 16 * loads) return 0;
  for (int b = 0; b < count; ++b) {
    int lo, hi;
    span(b, lo, hi);
    // Moved left where the loads would pass the row's end: the highest
    // source byte (at most row - 1) stays within them.
    const int base = std::min(lo, row - 16 * loads);
    put(b, base, [&](int t, int i) { return source(t, first(b) + i) - base; });
  }
  return loads;
}

}  // namespace

int build_pick_blocks(const std::int32_t* pixel, int n, int src_w, int swap, PickBlock* blocks) {
  return plan_blocks(&pixel, 1, n, src_w, swap, 1, [&](int b, int base, auto rel) {
    PickBlock& blk = blocks[b];
    blk = PickBlock{};
    blk.base = base;
    for (int i = 0; i < 16; ++i) {
      const int r = rel(0, i);
      if (kPickTablePerLoad) {
        for (int j = 0; j < kMaxPickLoads; ++j)
          blk.table[j][i] = static_cast<std::uint8_t>(r / 16 == j ? r % 16 : 0x80);
      } else {
        blk.table[0][i] = static_cast<std::uint8_t>(r);
      }
    }
  });
}

int build_blend_blocks(const std::int32_t* pixel0, const std::int32_t* pixel1, const std::int16_t* weights, int n,
                       int src_w, int swap, BlendBlock* blocks) {
  if (!blend_available()) return 0;
  const std::int32_t* pixel[2] = {pixel0, pixel1};
  // Always kMaxPickLoads registers: one table lookup of every size.
  return plan_blocks(pixel, 2, n, src_w, swap, kMaxPickLoads, [&](int b, int base, auto rel) {
    BlendBlock& blk = blocks[b];
    blk = BlendBlock{};
    blk.base = base;
    const int first = std::min(16 * b, 3 * n - 16);
    for (int i = 0; i < 16; ++i) {
      const int x = (first + i) / 3;
      for (int t = 0; t < 2; ++t) {
        const int a = weights[2 * x + t];
        blk.tap[t][i] = static_cast<std::uint8_t>(rel(t, i));
        blk.weight[t][i] = static_cast<std::uint8_t>(a >> 4);
        blk.weight[2 + t][i] = static_cast<std::uint8_t>(a & 15);
      }
    }
  });
}

#if defined(RKYOLO_HAVE_X86_SIMD)

bool yuv_uses_blocks() {
  return false;
}

bool blend_available() {
  return false;
}
void blend(const std::uint8_t*, const std::uint8_t*, int, int, const BlendPlan&, std::uint8_t*, std::uint8_t) {}

bool available() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return yes;
}

const char* isa_name() {
  return available() ? "avx2" : "none";
}

// Group of 8 pixels: 4 vectors of 16 int16, vector k holding pixel k's
// [a0 a1 a0 a1 a0 a1 0 0] then pixel k + 4's (the pmaddwd operands).
void pack_weights(std::int16_t* weights, int x, int a0, int a1) {
  const int group = x / 8, k = x % 8;
  std::int16_t* w = weights + static_cast<std::size_t>(group) * 64 + (k % 4) * 16 + (k / 4) * 8;
  for (int c = 0; c < 3; ++c) {
    w[2 * c] = static_cast<std::int16_t>(a0);
    w[2 * c + 1] = static_cast<std::int16_t>(a1);
  }
  w[6] = w[7] = 0;
}

namespace {

// A pixel's 8 source bytes [c0 c1 c2 n0 n1 n2 . .] (this pixel, the next)
// widened to the int16 pairs (c, n) of tensor channels 0, 1, 2, then a zero
// pair: pmaddwd with [a0 a1] gives the three int32 tap sums.
__attribute__((target("avx2"))) inline __m256i tap_pairs(int swap) {
  const char s0 = swap ? 2 : 0, s2 = swap ? 0 : 2;
  const __m128i m = _mm_setr_epi8(s0, -1, static_cast<char>(s0 + 3), -1, 1, -1, 4, -1, s2, -1,
                                  static_cast<char>(s2 + 3), -1, -1, -1, -1, -1);
  return _mm256_broadcastsi128_si256(m);
}

// Interleaved: the int16 of 8 pixels' r[k] = (pixel k | pixel k + 4)
// [c0 c1 c2 0] int32, stored at out[3x + c].
__attribute__((target("avx2"))) inline void store_interleaved(const __m256i r[4], std::int16_t* o) {
  // Per lane, after packing two pixels to int16: keep words 0-2, 4-6.
  const __m256i compact =
      _mm256_broadcastsi128_si256(_mm_setr_epi8(0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, -1, -1, -1, -1));
  const __m256i ab = _mm256_shuffle_epi8(_mm256_packs_epi32(r[0], r[1]), compact);  // [p0 p1 | p4 p5]
  const __m256i cd = _mm256_shuffle_epi8(_mm256_packs_epi32(r[2], r[3]), compact);  // [p2 p3 | p6 p7]
  // 6 valid int16 per store; each store's 2 spare ones are overwritten by the next.
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm256_castsi256_si128(ab));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 6), _mm256_castsi256_si128(cd));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 12), _mm256_extracti128_si256(ab, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 18), _mm256_extracti128_si256(cd, 1));
}

// Planar: the same 8 pixels as three runs of 8 int16, out[c * plane + x].
__attribute__((target("avx2"))) inline void store_planar(const __m256i r[4], std::int16_t* o, std::size_t plane) {
  // 4x4 transpose inside each lane: rows are pixels, columns channels.
  const __m256i ab_lo = _mm256_unpacklo_epi32(r[0], r[1]), ab_hi = _mm256_unpackhi_epi32(r[0], r[1]);
  const __m256i cd_lo = _mm256_unpacklo_epi32(r[2], r[3]), cd_hi = _mm256_unpackhi_epi32(r[2], r[3]);
  const __m256i c0 = _mm256_unpacklo_epi64(ab_lo, cd_lo), c1 = _mm256_unpackhi_epi64(ab_lo, cd_lo);
  const __m256i c2 = _mm256_unpacklo_epi64(ab_hi, cd_hi);
  // packs works within lanes: [c0 p0-3, c1 p0-3 | c0 p4-7, c1 p4-7] -> [c0 p0-7 | c1 p0-7].
  const __m256i c01 = _mm256_permute4x64_epi64(_mm256_packs_epi32(c0, c1), 0xD8);
  const __m256i c22 = _mm256_permute4x64_epi64(_mm256_packs_epi32(c2, c2), 0xD8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm256_castsi256_si128(c01));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o + plane), _mm256_extracti128_si256(c01, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 2 * plane), _mm256_castsi256_si128(c22));
}

// R source rows resized together: each group's offsets and weights are
// loaded once for all of them. r[k] = (h >> 4) of pixels (x + k | x + 4 + k)
// as int32 [c0 c1 c2 0].
template <int R, bool kPlanar>
__attribute__((target("avx2"))) void hpass_n(const std::uint8_t* const* src, const HorizontalPlan& plan,
                                             std::int16_t* const* out) {
  const __m256i shuf = tap_pairs(plan.swap);
  const std::size_t plane = static_cast<std::size_t>(plan.plane);
  const std::int32_t* index = plan.index;
  const std::int16_t* weights = plan.weights;
  const int n = plan.n;
  const std::uint8_t* in[R];
  std::int16_t* to[R];
  for (int j = 0; j < R; ++j) in[j] = src[j], to[j] = out[j];
  for (int x = 0; x < n; x += 8) {
    __m256i r[R][4];
    for (int k = 0; k < 4; ++k) {
      const std::int32_t i0 = index[x + k], i1 = index[x + k + 4];
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(weights + 8 * x + 16 * k));
      for (int j = 0; j < R; ++j) {
        const __m128i lo = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in[j] + i0));
        const __m128i hi = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in[j] + i1));
        const __m256i t = _mm256_shuffle_epi8(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1), shuf);
        r[j][k] = _mm256_srai_epi32(_mm256_madd_epi16(t, w), 4);
      }
    }
    for (int j = 0; j < R; ++j) {
      if (kPlanar)
        store_planar(r[j], to[j] + x, plane);
      else
        store_interleaved(r[j], to[j] + 3 * x);
    }
  }
}

// 16 elements of OpenCV's vertical step, still int16:
// _mm256_mulhi_epi16 is exactly (h * b) >> 16.
template <bool kOne>
__attribute__((target("avx2"))) inline __m256i vstep16(const std::int16_t* h0, const std::int16_t* h1, __m256i w0,
                                                       __m256i w1) {
  __m256i v = _mm256_mulhi_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(h0)), w0);
  if (!kOne) v = _mm256_add_epi16(v, _mm256_mulhi_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(h1)), w1));
  return _mm256_srai_epi16(_mm256_add_epi16(v, _mm256_set1_epi16(2)), 2);
}

template <bool kOne>
__attribute__((target("avx2"))) void vpass_body(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1,
                                                std::uint8_t* out, int n, std::uint8_t xor_mask) {
  const __m256i w0 = _mm256_set1_epi16(static_cast<short>(b0)), w1 = _mm256_set1_epi16(static_cast<short>(b1));
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(xor_mask));
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    // packus works within 128-bit lanes: fix the quadword order after.
    const __m256i bytes =
        _mm256_packus_epi16(vstep16<kOne>(h0 + i, h1 + i, w0, w1), vstep16<kOne>(h0 + i + 16, h1 + i + 16, w0, w1));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm256_xor_si256(_mm256_permute4x64_epi64(bytes, 0xD8), flip));
  }
  for (; i < n; ++i) {
    const int v = (((h0[i] * b0) >> 16) + ((h1[i] * b1) >> 16) + 2) >> 2;
    out[i] = static_cast<std::uint8_t>((v < 0 ? 0 : v > 255 ? 255 : v) ^ xor_mask);
  }
}

template <bool kOne>
__attribute__((target("avx2"))) void vpass_f32_body(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1,
                                                    float* out, int n, float mean, float stdv) {
  const __m256i w0 = _mm256_set1_epi16(static_cast<short>(b0)), w1 = _mm256_set1_epi16(static_cast<short>(b1));
  const __m256 m = _mm256_set1_ps(mean), d = _mm256_set1_ps(stdv);
  const __m256i lo = _mm256_setzero_si256(), hi = _mm256_set1_epi16(255);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i p = _mm256_min_epi16(_mm256_max_epi16(vstep16<kOne>(h0 + i, h1 + i, w0, w1), lo), hi);
    const __m256 f0 = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(p)));
    const __m256 f1 = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm256_extracti128_si256(p, 1)));
    _mm256_storeu_ps(out + i, _mm256_div_ps(_mm256_sub_ps(f0, m), d));
    _mm256_storeu_ps(out + i + 8, _mm256_div_ps(_mm256_sub_ps(f1, m), d));
  }
  for (; i < n; ++i) {
    const int v = (((h0[i] * b0) >> 16) + ((h1[i] * b1) >> 16) + 2) >> 2;
    out[i] = (static_cast<float>(v < 0 ? 0 : v > 255 ? 255 : v) - mean) / stdv;
  }
}

// 16 output bytes of one block: each register of 16 source bytes shuffled
// by its own control (0x80 lanes zero), the results or-ed.
template <int L>
__attribute__((target("avx2"))) inline void pick_block(const std::uint8_t* src, const PickBlock& blk, std::uint8_t* out,
                                                       __m128i flip) {
  const std::uint8_t* s = src + blk.base;
  __m128i v = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)),
                               _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk.table[0])));
  for (int j = 1; j < L; ++j)
    v = _mm_or_si128(v, _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * j)),
                                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk.table[j]))));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_xor_si128(v, flip));
}

// The blocks in order, the last one ending at the last byte.
template <int L>
__attribute__((target("avx2"))) void pick_n(const std::uint8_t* src, const PickPlan& plan, std::uint8_t* out,
                                            std::uint8_t xor_mask) {
  const __m128i flip = _mm_set1_epi8(static_cast<char>(xor_mask));
  const PickBlock* blocks = plan.blocks;  // locals: the byte stores may alias anything
  const int last = pick_block_count(plan.n) - 1;
  for (int b = 0; b < last; ++b) pick_block<L>(src, blocks[b], out + 16 * b, flip);
  pick_block<L>(src, blocks[last], out + 3 * plan.n - 16, flip);
}

// Average rows, 8 output pixels a block from 48 bytes of each row. Each
// 128-bit lane takes 2 output pixels' 12 source bytes: register A pixels 0, 1
// (bytes 0..11) and 4, 5 (24..35), register B pixels 2, 3 (12..23) and 6, 7
// (36..47, loaded from byte 32 so no load passes byte 47). pshufb puts each
// channel's two source bytes side by side (swap applied, 4 zero bytes),
// pmaddubsw with ones sums them (u16), the rows are added and
// mulhrs(s, 2^13) = (s + 2) >> 2. kAverageControls[swap][register].
struct AverageControls {
  std::uint8_t ctl[2][2][32] = {};
};

constexpr AverageControls make_average_controls() {
  AverageControls t;
  for (int swap = 0; swap < 2; ++swap)
    for (int r = 0; r < 2; ++r)
      for (int lane = 0; lane < 2; ++lane) {
        const int offset = r == 1 && lane == 1 ? 4 : 0, at = 16 * lane;
        for (int i = 12; i < 16; ++i) t.ctl[swap][r][at + i] = 0x80;
        for (int g = 0; g < 2; ++g)
          for (int c = 0; c < 3; ++c) {
            const int sc = swap ? 2 - c : c;
            t.ctl[swap][r][at + 6 * g + 2 * c] = static_cast<std::uint8_t>(offset + 6 * g + sc);
            t.ctl[swap][r][at + 6 * g + 2 * c + 1] = static_cast<std::uint8_t>(offset + 6 * g + 3 + sc);
          }
      }
  return t;
}

constexpr AverageControls kAverageControls = make_average_controls();

__attribute__((target("avx2"))) inline __m256i load_lanes(const std::uint8_t* lo, const std::uint8_t* hi) {
  return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(lo))),
                                 _mm_loadu_si128(reinterpret_cast<const __m128i*>(hi)), 1);
}

// The rounded 2x2 sums of register r (A: 0, B: 1) as u16, 6 per lane.
__attribute__((target("avx2"))) inline __m256i average_sums(const std::uint8_t* r0, const std::uint8_t* r1, int r,
                                                            __m256i ctl) {
  const __m256i ones = _mm256_set1_epi8(1);
  const int lo = 12 * r, hi = 24 + 8 * r;
  const __m256i s0 = _mm256_maddubs_epi16(_mm256_shuffle_epi8(load_lanes(r0 + lo, r0 + hi), ctl), ones);
  const __m256i s1 = _mm256_maddubs_epi16(_mm256_shuffle_epi8(load_lanes(r1 + lo, r1 + hi), ctl), ones);
  return _mm256_mulhrs_epi16(_mm256_add_epi16(s0, s1), _mm256_set1_epi16(1 << 13));
}

// Packed, lane 0 holds pixels 0, 1, 2, 3 and lane 1 pixels 4, 5, 6, 7 (6
// bytes each, 2 zero after): compacted to 12 bytes a lane, then dwords
// 0, 1, 2, 4, 5, 6 are the 24 output bytes.
__attribute__((target("avx2"))) inline void average_block(const std::uint8_t* r0, const std::uint8_t* r1,
                                                          const __m256i ctl[2], __m256i flip, std::uint8_t* out) {
  const __m256i compact = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, -1, -1, -1, -1, 0, 1, 2, 3, 4, 5, 8,
                                           9, 10, 11, 12, 13, -1, -1, -1, -1);
  const __m256i bytes = _mm256_packus_epi16(average_sums(r0, r1, 0, ctl[0]), average_sums(r0, r1, 1, ctl[1]));
  const __m256i v = _mm256_xor_si256(
      _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(bytes, compact), _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7)),
      flip);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(v));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 16), _mm256_extracti128_si256(v, 1));
}

}  // namespace

// The blocks in order, the last one ending at the last pixel.
__attribute__((target("avx2"))) void average(const std::uint8_t* r0, const std::uint8_t* r1, int n, int swap,
                                             std::uint8_t* out, std::uint8_t xor_mask) {
  const std::uint8_t(&table)[2][32] = kAverageControls.ctl[swap ? 1 : 0];
  const __m256i ctl[2] = {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(table[0])),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(table[1]))};
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(xor_mask));
  const int last = n - kAverageMinPixels;
  for (int x = 0; x < last; x += 8) average_block(r0 + 6 * x, r1 + 6 * x, ctl, flip, out + 3 * x);
  average_block(r0 + 6 * last, r1 + 6 * last, ctl, flip, out + 3 * last);
}

namespace {

// pshufb controls taking channel c of 16 interleaved pixels out of their
// three registers: mask[c][j] for register j.
struct Deinterleave {
  std::uint8_t mask[3][3][16];
  constexpr Deinterleave() : mask{} {
    for (int c = 0; c < 3; ++c)
      for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 16; ++i) {
          const int e = 3 * i + c;
          mask[c][j][i] = static_cast<std::uint8_t>(e / 16 == j ? e % 16 : 0x80);
        }
  }
};
constexpr Deinterleave kDeinterleave;

__attribute__((target("avx2"))) inline __m128i shuffle(__m128i v, const std::uint8_t* mask) {
  return _mm_shuffle_epi8(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(mask)));
}

}  // namespace

__attribute__((target("avx2"))) void planar_f32(const std::uint8_t* in, int n, float* plane0, float* plane1,
                                                float* plane2, const float mean[3], const float stdv[3]) {
  float* const planes[3] = {plane0, plane1, plane2};
  __m256 m[3], d[3];
  for (int c = 0; c < 3; ++c) m[c] = _mm256_set1_ps(mean[c]), d[c] = _mm256_set1_ps(stdv[c]);
  int x = 0;
  for (; x + 16 <= n; x += 16) {
    const __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 3 * x));
    const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 3 * x + 16));
    const __m128i r2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 3 * x + 32));
    for (int c = 0; c < 3; ++c) {
      const auto& mask = kDeinterleave.mask[c];
      const __m128i v = _mm_or_si128(_mm_or_si128(shuffle(r0, mask[0]), shuffle(r1, mask[1])), shuffle(r2, mask[2]));
      const __m256 lo = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(v));
      const __m256 hi = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(v, 8)));
      _mm256_storeu_ps(planes[c] + x, _mm256_div_ps(_mm256_sub_ps(lo, m[c]), d[c]));
      _mm256_storeu_ps(planes[c] + x + 8, _mm256_div_ps(_mm256_sub_ps(hi, m[c]), d[c]));
    }
  }
  for (; x < n; ++x)
    for (int c = 0; c < 3; ++c) planes[c][x] = (static_cast<float>(in[3 * x + c]) - mean[c]) / stdv[c];
}

__attribute__((target("avx2"))) void vblend(const std::uint8_t* s0, const std::uint8_t* s1, int b0, int b1,
                                            std::int16_t* out, int n) {
  int i = 0;
  if (b1 == 0 || b0 == 0) {  // one row only (weight 128 does not fit pmaddubsw's int8)
    const std::uint8_t* s = b1 == 0 ? s0 : s1;
    for (; i + 16 <= n; i += 16) {
      const __m256i x = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_slli_epi16(x, 7));
    }
    for (; i < n; ++i) out[i] = static_cast<std::int16_t>(s[i] << 7);
    return;
  }
  // pmaddubsw: unsigned pixels x signed weights, pairs (s0[i], s1[i]).
  const __m256i w = _mm256_set1_epi16(static_cast<short>((b1 << 8) | b0));
  for (; i + 32 <= n; i += 32) {
    const __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s0 + i));
    const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s1 + i));
    // unpack within lanes, then fix the lane order with a permute.
    const __m256i lo = _mm256_unpacklo_epi8(x0, x1), hi = _mm256_unpackhi_epi8(x0, x1);
    const __m256i r_lo = _mm256_maddubs_epi16(lo, w), r_hi = _mm256_maddubs_epi16(hi, w);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_permute2x128_si256(r_lo, r_hi, 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 16), _mm256_permute2x128_si256(r_lo, r_hi, 0x31));
  }
  for (; i < n; ++i) out[i] = static_cast<std::int16_t>(b0 * s0[i] + b1 * s1[i]);
}

namespace {

inline std::int32_t load32(const std::int16_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline long long load64(const std::int16_t* p) {
  long long v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// (s + bias) >> kYuvShift clamped to 0..255, as yuv_to_rgb does.
__attribute__((target("avx2"))) inline __m256i to_byte(__m256i s, __m256i bias) {
  const __m256i v = _mm256_srai_epi32(_mm256_add_epi32(s, bias), kYuvShift);
  return _mm256_min_epi32(_mm256_max_epi32(v, _mm256_setzero_si256()), _mm256_set1_epi32(255));
}

// 8 pixels of a YUV row: resized Y, U, V (6 fraction bits) converted to
// 0..255 in int32 lanes, pixel order, tensor channel order in ch[0..2].
__attribute__((target("avx2"))) inline void yuv8(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& p,
                                                 int x, const YuvCoeffs& k, __m256i ch[3]) {
  const __m256i sample_bias = _mm256_set1_epi32(kYuvSampleBias);
  // Luma: both taps (vy[i], vy[i + 1]) of a pixel are one 32-bit load;
  // chroma: [u v u' v'] is one 64-bit load, reordered to [u u' v v'] for
  // pmaddwd with [c0 c1 c0 c1]. Scalar loads, not vpgather: with gathers the
  // 1080p NV12 letterbox took 601 us instead of 338 on the build machine's
  // AMD EPYC (AMD's gathers are slow).
  const std::int32_t* yi = p.y_index + x;
  const std::int32_t* ci = p.c_index + x;
  const __m256i ypair =
      _mm256_setr_epi32(load32(vy + yi[0]), load32(vy + yi[1]), load32(vy + yi[2]), load32(vy + yi[3]),
                        load32(vy + yi[4]), load32(vy + yi[5]), load32(vy + yi[6]), load32(vy + yi[7]));
  const __m256i wy = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.y_weights + 2 * x));
  const __m256i y = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(ypair, wy), sample_bias), kYuvSampleShift);
  const __m256i pairs =
      _mm256_broadcastsi128_si256(_mm_setr_epi8(0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15));
  const __m256i c0 = _mm256_shuffle_epi8(
      _mm256_setr_epi64x(load64(vc + ci[0]), load64(vc + ci[1]), load64(vc + ci[2]), load64(vc + ci[3])), pairs);
  const __m256i c1 = _mm256_shuffle_epi8(
      _mm256_setr_epi64x(load64(vc + ci[4]), load64(vc + ci[5]), load64(vc + ci[6]), load64(vc + ci[7])), pairs);
  const __m256i wc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.c_weights + 2 * x));
  const __m256i wc0 = _mm256_permutevar8x32_epi32(wc, _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
  const __m256i wc1 = _mm256_permutevar8x32_epi32(wc, _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7));
  // [U0 V0 U1 V1 | U2 V2 U3 V3] and the same for pixels 4..7.
  const __m256 uv0 = _mm256_castsi256_ps(
      _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(c0, wc0), sample_bias), kYuvSampleShift));
  const __m256 uv1 = _mm256_castsi256_ps(
      _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(c1, wc1), sample_bias), kYuvSampleShift));
  // [U0 U1 U4 U5 | U2 U3 U6 U7], then 64-bit lanes back into pixel order.
  const __m256i u = _mm256_permute4x64_epi64(_mm256_castps_si256(_mm256_shuffle_ps(uv0, uv1, 0x88)), 0xD8);
  const __m256i v = _mm256_permute4x64_epi64(_mm256_castps_si256(_mm256_shuffle_ps(uv0, uv1, 0xDD)), 0xD8);
  // The conversion, the same integers as yuv_to_rgb.
  const __m256i zero = _mm256_set1_epi32(kChromaZero);
  const __m256i cu = _mm256_sub_epi32(u, zero), cv = _mm256_sub_epi32(v, zero);
  const __m256i luma = _mm256_mullo_epi32(_mm256_sub_epi32(y, _mm256_set1_epi32(k.y_zero)), _mm256_set1_epi32(k.cy));
  const __m256i bias = _mm256_set1_epi32(kYuvBias);
  const __m256i r = _mm256_add_epi32(luma, _mm256_mullo_epi32(cv, _mm256_set1_epi32(k.crv)));
  const __m256i g = _mm256_sub_epi32(_mm256_sub_epi32(luma, _mm256_mullo_epi32(cu, _mm256_set1_epi32(k.cgu))),
                                     _mm256_mullo_epi32(cv, _mm256_set1_epi32(k.cgv)));
  const __m256i b = _mm256_add_epi32(luma, _mm256_mullo_epi32(cu, _mm256_set1_epi32(k.cbu)));
  ch[0] = to_byte(p.bgr ? b : r, bias);
  ch[1] = to_byte(g, bias);
  ch[2] = to_byte(p.bgr ? r : b, bias);
}

}  // namespace

__attribute__((target("avx2"))) void yuv_interleaved(const std::int16_t* vy, const std::int16_t* vc,
                                                     const YuvPlan& plan, const YuvCoeffs& k, std::uint8_t* out,
                                                     std::uint8_t xor_mask) {
  // Per lane [c0 x4 | c1 x4 | c2 x4 | c2 x4] bytes -> 4 pixels of 3 bytes.
  const __m256i interleave =
      _mm256_broadcastsi128_si256(_mm_setr_epi8(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, -1, -1, -1, -1));
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(xor_mask));
  for (int x = 0; x < plan.n; x += 8) {
    __m256i ch[3];
    yuv8(vy, vc, plan, x, k, ch);
    const __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(ch[0], ch[1]), _mm256_packs_epi32(ch[2], ch[2]));
    const __m256i px = _mm256_xor_si256(_mm256_shuffle_epi8(bytes, interleave), flip);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 3 * x), _mm256_castsi256_si128(px));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 3 * x + 12), _mm256_extracti128_si256(px, 1));
  }
}

__attribute__((target("avx2"))) void yuv_planar_f32(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& plan,
                                                    const YuvCoeffs& k, float* plane0, float* plane1, float* plane2,
                                                    const float mean[3], const float stdv[3]) {
  float* planes[3] = {plane0, plane1, plane2};
  __m256 m[3], d[3];
  for (int c = 0; c < 3; ++c) m[c] = _mm256_set1_ps(mean[c]), d[c] = _mm256_set1_ps(stdv[c]);
  for (int x = 0; x < plan.n; x += 8) {
    __m256i ch[3];
    yuv8(vy, vc, plan, x, k, ch);
    for (int c = 0; c < 3; ++c)
      _mm256_storeu_ps(planes[c] + x, _mm256_div_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(ch[c]), m[c]), d[c]));
  }
}

#elif defined(RKYOLO_HAVE_NEON)

bool available() {
  return true;
}
const char* isa_name() {
  return "neon";
}

// Pair of pixels (x even, x + 1): [a0 a0 a0 0 a0' a0' a0' 0] then the same
// for a1, one lane per output element.
void pack_weights(std::int16_t* weights, int x, int a0, int a1) {
  std::int16_t* w = weights + static_cast<std::size_t>(x / 2) * 16 + (x % 2) * 4;
  for (int c = 0; c < 3; ++c) {
    w[c] = static_cast<std::int16_t>(a0);
    w[8 + c] = static_cast<std::int16_t>(a1);
  }
  w[3] = w[11] = 0;
}

namespace {

// Two pixels' tap sums (h >> 4) [A0 A1 A2 0 B0 B1 B2 0] in tensor channel
// order: both 8-byte loads [c0 c1 c2 n0 n1 n2 . .] in one register, one
// table lookup puts the first taps (c) in the low half and the second (n) in
// the high half, widened, then c a0 + n a1 per lane.
inline int16x8_t hsum2(const std::uint8_t* src, std::int32_t ia, std::int32_t ib, int16x8_t w0, int16x8_t w1,
                       uint8x16_t order) {
  const uint8x16_t v = vqtbl1q_u8(vcombine_u8(vld1_u8(src + ia), vld1_u8(src + ib)), order);
  const int16x8_t c = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v)));
  const int16x8_t n = vreinterpretq_s16_u16(vmovl_high_u8(v));
  const int32x4_t lo = vmlal_s16(vmull_s16(vget_low_s16(c), vget_low_s16(w0)), vget_low_s16(n), vget_low_s16(w1));
  const int32x4_t hi = vmlal_high_s16(vmull_high_s16(c, w0), n, w1);
  return vshrn_high_n_s32(vshrn_n_s32(lo, 4), hi, 4);
}

}  // namespace

namespace {

// R source rows resized together, each pair's offsets and weights loaded once.
template <int R, bool kPlanar>
void hpass_n(const std::uint8_t* const* src, const HorizontalPlan& plan, std::int16_t* const* out) {
  // Bytes of [pixel A (0-7) | pixel B (8-15)] -> [A c | B c | A n | B n], 4 each, the 4th zero (index 255).
  static const std::uint8_t kKeep[16] = {0, 1, 2, 255, 8, 9, 10, 255, 3, 4, 5, 255, 11, 12, 13, 255};
  static const std::uint8_t kSwap[16] = {2, 1, 0, 255, 10, 9, 8, 255, 5, 4, 3, 255, 13, 12, 11, 255};
  const uint8x16_t order = vld1q_u8(plan.swap ? kSwap : kKeep);
  const std::size_t plane = static_cast<std::size_t>(plan.plane);
  const std::int32_t* index = plan.index;
  const std::int16_t* weights = plan.weights;
  const int n = plan.n;
  const std::uint8_t* in[R];
  std::int16_t* to[R];
  for (int j = 0; j < R; ++j) in[j] = src[j], to[j] = out[j];
  for (int x = 0; x < n; x += 4) {
    const std::int32_t* i = index + x;
    const std::int16_t* w = weights + 8 * x;
    const int16x8_t wa0 = vld1q_s16(w), wa1 = vld1q_s16(w + 8), wb0 = vld1q_s16(w + 16), wb1 = vld1q_s16(w + 24);
    for (int j = 0; j < R; ++j) {
      const int16x8_t p01 = hsum2(in[j], i[0], i[1], wa0, wa1, order);
      const int16x8_t p23 = hsum2(in[j], i[2], i[3], wb0, wb1, order);
      if (!kPlanar) {
        // 4 int16 stored per pixel, the 4th overwritten by the next pixel.
        std::int16_t* o = to[j] + 3 * x;
        vst1_s16(o, vget_low_s16(p01));
        vst1_s16(o + 3, vget_high_s16(p01));
        vst1_s16(o + 6, vget_low_s16(p23));
        vst1_s16(o + 9, vget_high_s16(p23));
        continue;
      }
      // [A0 A1 A2 0 B0 B1 B2 0], [C0 ...] -> even [A0 A2 B0 B2 C0 C2 D0 D2], odd [A1 0 B1 0 ...].
      const int16x8_t even = vuzp1q_s16(p01, p23), odd = vuzp2q_s16(p01, p23);
      std::int16_t* o = to[j] + x;
      vst1_s16(o, vget_low_s16(vuzp1q_s16(even, even)));
      vst1_s16(o + plane, vget_low_s16(vuzp1q_s16(odd, odd)));
      vst1_s16(o + 2 * plane, vget_low_s16(vuzp2q_s16(even, even)));
    }
  }
}

// 8 elements of OpenCV's vertical step: vmull_s16 then a narrowing shift by
// 16 is (h * b) >> 16; then (v + 2) >> 2 saturated to 0..255.
template <bool kOne>
inline uint8x8_t vstep8(const std::int16_t* h0, const std::int16_t* h1, int16x8_t w0, int16x8_t w1) {
  const int16x8_t x0 = vld1q_s16(h0);
  int16x8_t v =
      vshrn_high_n_s32(vshrn_n_s32(vmull_s16(vget_low_s16(x0), vget_low_s16(w0)), 16), vmull_high_s16(x0, w0), 16);
  if (!kOne) {
    const int16x8_t x1 = vld1q_s16(h1);
    v = vaddq_s16(v, vshrn_high_n_s32(vshrn_n_s32(vmull_s16(vget_low_s16(x1), vget_low_s16(w1)), 16),
                                      vmull_high_s16(x1, w1), 16));
  }
  return vqrshrun_n_s16(v, 2);
}

template <bool kOne>
void vpass_body(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1, std::uint8_t* out, int n,
                std::uint8_t xor_mask) {
  const int16x8_t w0 = vdupq_n_s16(static_cast<std::int16_t>(b0)), w1 = vdupq_n_s16(static_cast<std::int16_t>(b1));
  const uint8x16_t flip = vdupq_n_u8(xor_mask);
  int i = 0;
  for (; i + 16 <= n; i += 16)
    vst1q_u8(out + i,
             veorq_u8(vcombine_u8(vstep8<kOne>(h0 + i, h1 + i, w0, w1), vstep8<kOne>(h0 + i + 8, h1 + i + 8, w0, w1)),
                      flip));
  for (; i < n; ++i) {
    const int v = (((h0[i] * b0) >> 16) + ((h1[i] * b1) >> 16) + 2) >> 2;
    out[i] = static_cast<std::uint8_t>((v < 0 ? 0 : v > 255 ? 255 : v) ^ xor_mask);
  }
}

template <bool kOne>
void vpass_f32_body(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1, float* out, int n, float mean,
                    float stdv) {
  const int16x8_t w0 = vdupq_n_s16(static_cast<std::int16_t>(b0)), w1 = vdupq_n_s16(static_cast<std::int16_t>(b1));
  const float32x4_t m = vdupq_n_f32(mean), d = vdupq_n_f32(stdv);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint16x8_t p = vmovl_u8(vstep8<kOne>(h0 + i, h1 + i, w0, w1));
    vst1q_f32(out + i, vdivq_f32(vsubq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(p))), m), d));
    vst1q_f32(out + i + 4, vdivq_f32(vsubq_f32(vcvtq_f32_u32(vmovl_high_u16(p)), m), d));
  }
  for (; i < n; ++i) {
    const int v = (((h0[i] * b0) >> 16) + ((h1[i] * b1) >> 16) + 2) >> 2;
    out[i] = (static_cast<float>(v < 0 ? 0 : v > 255 ? 255 : v) - mean) / stdv;
  }
}

// 16 output bytes of one block: one table lookup into the L registers loaded.
template <int L>
inline void pick_block(const std::uint8_t* src, const PickBlock& blk, std::uint8_t* out, uint8x16_t flip) {
  const std::uint8_t* s = src + blk.base;
  const uint8x16_t index = vld1q_u8(blk.table[0]);
  uint8x16_t v;
  if constexpr (L == 1)
    v = vqtbl1q_u8(vld1q_u8(s), index);
  else if constexpr (L == 2)
    v = vqtbl2q_u8(vld1q_u8_x2(s), index);
  else if constexpr (L == 3)
    v = vqtbl3q_u8(vld1q_u8_x3(s), index);
  else
    v = vqtbl4q_u8(vld1q_u8_x4(s), index);
  vst1q_u8(out, veorq_u8(v, flip));
}

// The blocks in order, the last one ending at the last byte.
template <int L>
void pick_n(const std::uint8_t* src, const PickPlan& plan, std::uint8_t* out, std::uint8_t xor_mask) {
  const uint8x16_t flip = vdupq_n_u8(xor_mask);
  const PickBlock* blocks = plan.blocks;  // locals: the byte stores may alias anything
  const int last = pick_block_count(plan.n) - 1;
  for (int b = 0; b < last; ++b) pick_block<L>(src, blocks[b], out + 16 * b, flip);
  pick_block<L>(src, blocks[last], out + 3 * plan.n - 16, flip);
}

// Average rows, 8 output pixels a block: 16 source pixels of each row
// deinterleaved (vld3q), each channel's pairs summed (vpaddl), the second
// row added (vpadal), (s + 2) >> 2 (vrshrn), stored interleaved with the
// channels in tensor order.
template <bool kSwap>
inline void average_block(const std::uint8_t* r0, const std::uint8_t* r1, uint8x8_t flip, std::uint8_t* out) {
  const uint8x16x3_t a = vld3q_u8(r0), b = vld3q_u8(r1);
  uint8x8x3_t o;
  for (int c = 0; c < 3; ++c) {
    const int sc = kSwap ? 2 - c : c;
    o.val[c] = veor_u8(vrshrn_n_u16(vpadalq_u8(vpaddlq_u8(a.val[sc]), b.val[sc]), 2), flip);
  }
  vst3_u8(out, o);
}

// The blocks in order, the last one ending at the last pixel.
template <bool kSwap>
void average_n(const std::uint8_t* r0, const std::uint8_t* r1, int n, std::uint8_t* out, std::uint8_t xor_mask) {
  const uint8x8_t flip = vdup_n_u8(xor_mask);
  const int last = n - kAverageMinPixels;
  for (int x = 0; x < last; x += 8) average_block<kSwap>(r0 + 6 * x, r1 + 6 * x, flip, out + 3 * x);
  average_block<kSwap>(r0 + 6 * last, r1 + 6 * last, flip, out + 3 * last);
}

// OpenCV's horizontal pass of one row for a block's 16 output bytes, both
// halves as int16 (h >> 4 = S0 (a0 >> 4) + S1 (a1 >> 4) + ((S0 (a0 & 15) +
// S1 (a1 & 15)) >> 4): exact, the floor division by 16 split at the
// multiple of 16; every product and sum fits 16 bits).
inline void blend_hsum(const std::uint8_t* s, uint8x16_t tap0, uint8x16_t tap1, const uint8x16x4_t& w, int16x8_t& lo,
                       int16x8_t& hi) {
  const uint8x16x4_t regs = vld1q_u8_x4(s);
  const uint8x16_t s0 = vqtbl4q_u8(regs, tap0), s1 = vqtbl4q_u8(regs, tap1);
  const uint16x8_t top_lo =
      vmlal_u8(vmull_u8(vget_low_u8(s0), vget_low_u8(w.val[0])), vget_low_u8(s1), vget_low_u8(w.val[1]));
  const uint16x8_t top_hi = vmlal_high_u8(vmull_high_u8(s0, w.val[0]), s1, w.val[1]);
  const uint16x8_t low_lo =
      vmlal_u8(vmull_u8(vget_low_u8(s0), vget_low_u8(w.val[2])), vget_low_u8(s1), vget_low_u8(w.val[3]));
  const uint16x8_t low_hi = vmlal_high_u8(vmull_high_u8(s0, w.val[2]), s1, w.val[3]);
  lo = vreinterpretq_s16_u16(vsraq_n_u16(top_lo, low_lo, 4));
  hi = vreinterpretq_s16_u16(vsraq_n_u16(top_hi, low_hi, 4));
}

// The vertical step in registers: (h b) >> 16 is sqdmulh (2 h b >> 16,
// never saturating: 2 * 32640 * 2048 < 2^31) shifted right once more.
template <bool kOne>
inline void blend_block(const std::uint8_t* r0, const std::uint8_t* r1, const BlendBlock& blk, int16x8_t b0,
                        int16x8_t b1, std::uint8_t* out, uint8x16_t flip) {
  const uint8x16_t tap0 = vld1q_u8(blk.tap[0]), tap1 = vld1q_u8(blk.tap[1]);
  const uint8x16x4_t w = vld1q_u8_x4(blk.weight[0]);
  int16x8_t h0lo, h0hi;
  blend_hsum(r0 + blk.base, tap0, tap1, w, h0lo, h0hi);
  int16x8_t vlo = vshrq_n_s16(vqdmulhq_s16(h0lo, b0), 1), vhi = vshrq_n_s16(vqdmulhq_s16(h0hi, b0), 1);
  if (!kOne) {
    int16x8_t h1lo, h1hi;
    blend_hsum(r1 + blk.base, tap0, tap1, w, h1lo, h1hi);
    vlo = vsraq_n_s16(vlo, vqdmulhq_s16(h1lo, b1), 1);
    vhi = vsraq_n_s16(vhi, vqdmulhq_s16(h1hi, b1), 1);
  }
  vst1q_u8(out, veorq_u8(vqrshrun_high_n_s16(vqrshrun_n_s16(vlo, 2), vhi, 2), flip));
}

template <bool kOne>
void blend_body(const std::uint8_t* r0, const std::uint8_t* r1, int b0, int b1, const BlendPlan& plan,
                std::uint8_t* out, std::uint8_t xor_mask) {
  const uint8x16_t flip = vdupq_n_u8(xor_mask);
  const int16x8_t w0 = vdupq_n_s16(static_cast<std::int16_t>(b0)), w1 = vdupq_n_s16(static_cast<std::int16_t>(b1));
  const BlendBlock* blocks = plan.blocks;  // locals: the byte stores may alias anything
  const int last = pick_block_count(plan.n) - 1;
  for (int b = 0; b < last; ++b) blend_block<kOne>(r0, r1, blocks[b], w0, w1, out + 16 * b, flip);
  blend_block<kOne>(r0, r1, blocks[last], w0, w1, out + 3 * plan.n - 16, flip);
}

inline void store_f32x16(float* out, uint8x16_t bytes, float32x4_t m, float32x4_t d) {
  const uint16x8_t lo = vmovl_u8(vget_low_u8(bytes)), hi = vmovl_high_u8(bytes);
  vst1q_f32(out, vdivq_f32(vsubq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(lo))), m), d));
  vst1q_f32(out + 4, vdivq_f32(vsubq_f32(vcvtq_f32_u32(vmovl_high_u16(lo)), m), d));
  vst1q_f32(out + 8, vdivq_f32(vsubq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(hi))), m), d));
  vst1q_f32(out + 12, vdivq_f32(vsubq_f32(vcvtq_f32_u32(vmovl_high_u16(hi)), m), d));
}

}  // namespace

void planar_f32(const std::uint8_t* in, int n, float* plane0, float* plane1, float* plane2, const float mean[3],
                const float stdv[3]) {
  const float32x4_t m0 = vdupq_n_f32(mean[0]), m1 = vdupq_n_f32(mean[1]), m2 = vdupq_n_f32(mean[2]);
  const float32x4_t d0 = vdupq_n_f32(stdv[0]), d1 = vdupq_n_f32(stdv[1]), d2 = vdupq_n_f32(stdv[2]);
  int x = 0;
  for (; x + 16 <= n; x += 16) {
    const uint8x16x3_t v = vld3q_u8(in + 3 * x);
    store_f32x16(plane0 + x, v.val[0], m0, d0);
    store_f32x16(plane1 + x, v.val[1], m1, d1);
    store_f32x16(plane2 + x, v.val[2], m2, d2);
  }
  float* const planes[3] = {plane0, plane1, plane2};
  for (; x < n; ++x)
    for (int c = 0; c < 3; ++c) planes[c][x] = (static_cast<float>(in[3 * x + c]) - mean[c]) / stdv[c];
}

void vblend(const std::uint8_t* s0, const std::uint8_t* s1, int b0, int b1, std::int16_t* out, int n) {
  int i = 0;
  auto* o = reinterpret_cast<std::uint16_t*>(out);  // at most 128 * 255: fits either way
  if (b1 == 0 || b0 == 0) {                         // one row only
    const std::uint8_t* s = b1 == 0 ? s0 : s1;
    for (; i + 32 <= n; i += 32) {  // 1080 -> 360 rows: every row lands here
      const uint8x16x2_t x = vld1q_u8_x2(s + i);
      uint16x8x4_t r;
      r.val[0] = vshll_n_u8(vget_low_u8(x.val[0]), 7);
      r.val[1] = vshll_high_n_u8(x.val[0], 7);
      r.val[2] = vshll_n_u8(vget_low_u8(x.val[1]), 7);
      r.val[3] = vshll_high_n_u8(x.val[1], 7);
      vst1q_u16_x4(o + i, r);
    }
    for (; i + 16 <= n; i += 16) {
      const uint8x16_t x = vld1q_u8(s + i);
      vst1q_u16(o + i, vshll_n_u8(vget_low_u8(x), 7));
      vst1q_u16(o + i + 8, vshll_high_n_u8(x, 7));
    }
    for (; i < n; ++i) out[i] = static_cast<std::int16_t>(s[i] << 7);
    return;
  }
  // Unsigned 8-bit weights: 0..128 all fit, no special case for 128.
  const uint8x8_t w0 = vdup_n_u8(static_cast<std::uint8_t>(b0)), w1 = vdup_n_u8(static_cast<std::uint8_t>(b1));
  const uint8x16_t w0q = vdupq_n_u8(static_cast<std::uint8_t>(b0)), w1q = vdupq_n_u8(static_cast<std::uint8_t>(b1));
  // 32 bytes a step with multi-register loads and stores (ld1 {2 regs},
  // st1 {4 regs}): fewer instructions per byte than 16-byte steps.
  for (; i + 32 <= n; i += 32) {
    const uint8x16x2_t x0 = vld1q_u8_x2(s0 + i), x1 = vld1q_u8_x2(s1 + i);
    uint16x8x4_t r;
    r.val[0] = vmlal_u8(vmull_u8(vget_low_u8(x0.val[0]), w0), vget_low_u8(x1.val[0]), w1);
    r.val[1] = vmlal_high_u8(vmull_high_u8(x0.val[0], w0q), x1.val[0], w1q);
    r.val[2] = vmlal_u8(vmull_u8(vget_low_u8(x0.val[1]), w0), vget_low_u8(x1.val[1]), w1);
    r.val[3] = vmlal_high_u8(vmull_high_u8(x0.val[1], w0q), x1.val[1], w1q);
    vst1q_u16_x4(o + i, r);
  }
  for (; i + 16 <= n; i += 16) {
    const uint8x16_t x0 = vld1q_u8(s0 + i), x1 = vld1q_u8(s1 + i);
    vst1q_u16(o + i, vmlal_u8(vmull_u8(vget_low_u8(x0), w0), vget_low_u8(x1), w1));
    vst1q_u16(o + i + 8, vmlal_high_u8(vmull_high_u8(x0, w0q), x1, w1q));
  }
  for (; i < n; ++i) out[i] = static_cast<std::int16_t>(b0 * s0[i] + b1 * s1[i]);
}

bool yuv_uses_blocks() {
  return true;
}

bool blend_available() {
  return true;
}

namespace {

// 8 pixels' resized Y - y_zero, U - 128, V - 128 (letterbox_yuv.h's 6
// fraction bits) in int16 lanes. (Plain vectors, not a struct: GCC 12 leaves
// dead stores of returned vector structs in the loops.)

// (w0 * t0 + w1 * t1 + 2^11) >> 12 - zero.
inline int16x8_t sample8(int16x8_t t0, int16x8_t t1, int16x8_t w0, int16x8_t w1, int16x8_t zero) {
  const int32x4_t lo = vmlal_s16(vmull_s16(vget_low_s16(t0), vget_low_s16(w0)), vget_low_s16(t1), vget_low_s16(w1));
  const int32x4_t hi = vmlal_high_s16(vmull_high_s16(t0, w0), t1, w1);
  return vsubq_s16(vrshrn_high_n_s32(vrshrn_n_s32(lo, kYuvSampleShift), hi, kYuvSampleShift), zero);
}

// (3 * 2^9 a + 2^9 b + 2^11) >> 12 = (3a + b + 4) >> 3 - zero, a and b in
// 0..32640: a + b and 2a fit uint16; their halving add drops one bit, the
// rounding shift by 2 the rest (nested floor divisions).
inline int16x8_t quarter8(int16x8_t heavy, int16x8_t light, int16x8_t zero) {
  const uint16x8_t a = vreinterpretq_u16_s16(heavy), b = vreinterpretq_u16_s16(light);
  const uint16x8_t t = vhaddq_u16(vaddq_u16(a, b), vaddq_u16(a, a));
  return vsubq_s16(vreinterpretq_s16_u16(vrshrq_n_u16(t, 2)), zero);
}

inline int16x8_t table16(uint8x16x4_t rows, const std::uint8_t* table) {
  return vreinterpretq_s16_u8(vqtbl4q_u8(rows, vld1q_u8(table)));
}

// The kernels' constants, set up once per row.
struct YuvConsts {
  int16x8_t y_zero, c_zero;
  int16x8_t y_half_zero;  // -2 y_zero: (t + 1) >> 1 - y_zero is one rounding halving add
  int16x8_t coef;         // cy, crv, cgu, cgv, cbu (multiplied by lane)
  explicit YuvConsts(const YuvCoeffs& k)
      : y_zero(vdupq_n_s16(static_cast<std::int16_t>(k.y_zero))),
        c_zero(vdupq_n_s16(static_cast<std::int16_t>(kChromaZero))),
        y_half_zero(vdupq_n_s16(static_cast<std::int16_t>(-2 * k.y_zero))) {
    const std::int16_t c[8] = {static_cast<std::int16_t>(k.cy),
                               static_cast<std::int16_t>(k.crv),
                               static_cast<std::int16_t>(k.cgu),
                               static_cast<std::int16_t>(k.cgv),
                               static_cast<std::int16_t>(k.cbu),
                               0,
                               0,
                               0};
    coef = vld1q_s16(c);
  }
};

// Block b's taps blended. Table blocks: 4 registers of each row and one tbl
// per tap vector; gather blocks: one ld2 / ld4 lane load per pixel.
template <int kMode>
inline void taps8(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& p, const YuvBlock& blk, int x,
                  const YuvConsts& kc, int16x8_t& y, int16x8_t& u, int16x8_t& v) {
  const int16x8_t cw0 = vld1q_s16(blk.c_w[0]), cw1 = vld1q_s16(blk.c_w[1]);
  if constexpr (kMode == kYuvGather) {
    const std::int32_t* yi = p.y_index + x;
    const std::int32_t* ci = p.c_index + x;
    int16x8x2_t yt = {{vdupq_n_s16(0), vdupq_n_s16(0)}};
    int16x8x4_t ct = {{vdupq_n_s16(0), vdupq_n_s16(0), vdupq_n_s16(0), vdupq_n_s16(0)}};
#define RKYOLO_YUV_LANE(j)                \
  yt = vld2q_lane_s16(vy + yi[j], yt, j); \
  ct = vld4q_lane_s16(vc + ci[j], ct, j)
    RKYOLO_YUV_LANE(0);
    RKYOLO_YUV_LANE(1);
    RKYOLO_YUV_LANE(2);
    RKYOLO_YUV_LANE(3);
    RKYOLO_YUV_LANE(4);
    RKYOLO_YUV_LANE(5);
    RKYOLO_YUV_LANE(6);
    RKYOLO_YUV_LANE(7);
#undef RKYOLO_YUV_LANE
    y = sample8(yt.val[0], yt.val[1], vld1q_s16(blk.y_w[0]), vld1q_s16(blk.y_w[1]), kc.y_zero);
    u = sample8(ct.val[0], ct.val[2], cw0, cw1, kc.c_zero);
    v = sample8(ct.val[1], ct.val[3], cw0, cw1, kc.c_zero);
  } else {
    const uint8x16x4_t ys = vld1q_u8_x4(reinterpret_cast<const std::uint8_t*>(vy + blk.y_base));
    const uint8x16x4_t cs = vld1q_u8_x4(reinterpret_cast<const std::uint8_t*>(vc + blk.c_base));
    if constexpr (kMode == kYuvTableNearest || kMode == kYuvTableNearestQuarter)
      y = vrhaddq_s16(table16(ys, blk.y_table[0]), kc.y_half_zero);  // (2^11 t + 2^11) >> 12 = (t + 1) >> 1
    else
      y = sample8(table16(ys, blk.y_table[0]), table16(ys, blk.y_table[1]), vld1q_s16(blk.y_w[0]),
                  vld1q_s16(blk.y_w[1]), kc.y_zero);
    if constexpr (kMode == kYuvTableNearestQuarter) {
      u = quarter8(table16(cs, blk.c_table[0]), table16(cs, blk.c_table[1]), kc.c_zero);
      v = quarter8(table16(cs, blk.c_table[2]), table16(cs, blk.c_table[3]), kc.c_zero);
    } else {
      u = sample8(table16(cs, blk.c_table[0]), table16(cs, blk.c_table[1]), cw0, cw1, kc.c_zero);
      v = sample8(table16(cs, blk.c_table[2]), table16(cs, blk.c_table[3]), cw0, cw1, kc.c_zero);
    }
  }
}

// (s + 2^18) >> 19 saturated to 0..255, as yuv_to_rgb does: (s >> 16) then
// a rounding shift by 3 (the same integer: nested floor divisions).
inline uint8x8_t to_u8(int32x4_t lo, int32x4_t hi) {
  return vqrshrun_n_s16(vshrn_high_n_s32(vshrn_n_s32(lo, 16), hi, 16), kYuvShift - 16);
}

// The conversion of 8 pixels to c0, c1, c2 in tensor channel order:
// yuv_to_rgb's integers.
template <bool kBgr>
inline void rgb8(int16x8_t y, int16x8_t u, int16x8_t v, const YuvConsts& kc, uint8x8_t& c0, uint8x8_t& c1,
                 uint8x8_t& c2) {
  const int16x4_t y0 = vget_low_s16(y), u0 = vget_low_s16(u), v0 = vget_low_s16(v);
  const int16x8_t k = kc.coef;
  const int32x4_t r0 = vmlal_laneq_s16(vmull_laneq_s16(y0, k, 0), v0, k, 1);
  const int32x4_t r1 = vmlal_high_laneq_s16(vmull_high_laneq_s16(y, k, 0), v, k, 1);
  const int32x4_t g0 = vmlsl_laneq_s16(vmlsl_laneq_s16(vmull_laneq_s16(y0, k, 0), u0, k, 2), v0, k, 3);
  const int32x4_t g1 = vmlsl_high_laneq_s16(vmlsl_high_laneq_s16(vmull_high_laneq_s16(y, k, 0), u, k, 2), v, k, 3);
  const int32x4_t b0 = vmlal_laneq_s16(vmull_laneq_s16(y0, k, 0), u0, k, 4);
  const int32x4_t b1 = vmlal_high_laneq_s16(vmull_high_laneq_s16(y, k, 0), u, k, 4);
  const uint8x8_t r = to_u8(r0, r1), g = to_u8(g0, g1), b = to_u8(b0, b1);
  c0 = kBgr ? b : r;
  c1 = g;
  c2 = kBgr ? r : b;
}

template <int kMode, bool kBgr>
void yuv_run_interleaved(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& p, const YuvConsts& kc,
                         const YuvRun& run, std::uint8_t* out, uint8x8_t flip) {
  const YuvBlock* blocks = p.blocks;
  const int shift = run.shift, end = run.end;  // locals: the byte stores may alias anything
  out -= 3 * shift;
  for (int b = run.begin; b < end; ++b) {
    int16x8_t y, u, v;
    taps8<kMode>(vy, vc, p, blocks[b], 8 * b - shift, kc, y, u, v);
    uint8x8_t c0, c1, c2;
    rgb8<kBgr>(y, u, v, kc, c0, c1, c2);
    // Interleaves exactly 24 bytes.
    vst3_u8(out + 24 * b, uint8x8x3_t{{veor_u8(c0, flip), veor_u8(c1, flip), veor_u8(c2, flip)}});
  }
}

template <int kMode, bool kBgr>
void yuv_run_planar_f32(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& p, const YuvConsts& kc,
                        const YuvRun& run, float* const planes[3], const float32x4_t mean[3],
                        const float32x4_t stdv[3]) {
  // Locals: the float stores could alias the arrays.
  const YuvBlock* blocks = p.blocks;
  const float32x4_t m0 = mean[0], m1 = mean[1], m2 = mean[2], d0 = stdv[0], d1 = stdv[1], d2 = stdv[2];
  float* const out0 = planes[0] - run.shift;
  float* const out1 = planes[1] - run.shift;
  float* const out2 = planes[2] - run.shift;
  auto store = [](float* out, uint8x8_t bytes, float32x4_t m, float32x4_t d) {
    const uint16x8_t w = vmovl_u8(bytes);
    const float32x4_t lo = vcvtq_f32_u32(vmovl_u16(vget_low_u16(w))), hi = vcvtq_f32_u32(vmovl_high_u16(w));
    vst1q_f32(out, vdivq_f32(vsubq_f32(lo, m), d));
    vst1q_f32(out + 4, vdivq_f32(vsubq_f32(hi, m), d));
  };
  const int shift = run.shift, end = run.end;
  for (int b = run.begin; b < end; ++b) {
    int16x8_t y, u, v;
    taps8<kMode>(vy, vc, p, blocks[b], 8 * b - shift, kc, y, u, v);
    uint8x8_t c0, c1, c2;
    rgb8<kBgr>(y, u, v, kc, c0, c1, c2);
    store(out0 + 8 * b, c0, m0, d0);
    store(out1 + 8 * b, c1, m1, d1);
    store(out2 + 8 * b, c2, m2, d2);
  }
}

// Calls f.template operator()<mode, bgr>(run) for each run of the plan.
template <typename F>
void for_runs(const YuvPlan& p, F&& f) {
  for (int i = 0; i < p.run_count; ++i) {
    const YuvRun& run = p.runs[i];
    switch (run.mode * 2 + (p.bgr ? 1 : 0)) {
      case kYuvGather * 2: f.template operator()<kYuvGather, false>(run); break;
      case kYuvGather * 2 + 1: f.template operator()<kYuvGather, true>(run); break;
      case kYuvTable * 2: f.template operator()<kYuvTable, false>(run); break;
      case kYuvTable * 2 + 1: f.template operator()<kYuvTable, true>(run); break;
      case kYuvTableNearest * 2: f.template operator()<kYuvTableNearest, false>(run); break;
      case kYuvTableNearest * 2 + 1: f.template operator()<kYuvTableNearest, true>(run); break;
      case kYuvTableNearestQuarter * 2: f.template operator()<kYuvTableNearestQuarter, false>(run); break;
      default: f.template operator()<kYuvTableNearestQuarter, true>(run); break;
    }
  }
}

}  // namespace

void yuv_interleaved(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& plan, const YuvCoeffs& k,
                     std::uint8_t* out, std::uint8_t xor_mask) {
  const YuvConsts kc(k);
  const uint8x8_t flip = vdup_n_u8(xor_mask);
  for_runs(plan, [&]<int kMode, bool kBgr>(const YuvRun& run) {
    yuv_run_interleaved<kMode, kBgr>(vy, vc, plan, kc, run, out, flip);
  });
}

void yuv_planar_f32(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& plan, const YuvCoeffs& k,
                    float* plane0, float* plane1, float* plane2, const float mean[3], const float stdv[3]) {
  const YuvConsts kc(k);
  float* const planes[3] = {plane0, plane1, plane2};
  float32x4_t m[3], d[3];
  for (int c = 0; c < 3; ++c) m[c] = vdupq_n_f32(mean[c]), d[c] = vdupq_n_f32(stdv[c]);
  for_runs(plan, [&]<int kMode, bool kBgr>(const YuvRun& run) {
    yuv_run_planar_f32<kMode, kBgr>(vy, vc, plan, kc, run, planes, m, d);
  });
}

void average(const std::uint8_t* r0, const std::uint8_t* r1, int n, int swap, std::uint8_t* out,
             std::uint8_t xor_mask) {
  if (swap)
    average_n<true>(r0, r1, n, out, xor_mask);
  else
    average_n<false>(r0, r1, n, out, xor_mask);
}

// A row of vertical weight 0 adds nothing ((h * 0) >> 16 = 0): one row then.
void blend(const std::uint8_t* r0, const std::uint8_t* r1, int b0, int b1, const BlendPlan& plan, std::uint8_t* out,
           std::uint8_t xor_mask) {
  if (b1 == 0 || b0 == 0)
    blend_body<true>(b1 == 0 ? r0 : r1, nullptr, b1 == 0 ? b0 : b1, 0, plan, out, xor_mask);
  else
    blend_body<false>(r0, r1, b0, b1, plan, out, xor_mask);
}

#endif

#if defined(RKYOLO_HAVE_X86_SIMD) || defined(RKYOLO_HAVE_NEON)

// The dispatchers, one for both ISAs: each ISA's section defines the
// templates hpass_n, vpass_body, vpass_f32_body and pick_n.

RKYOLO_SIMD_TARGET void hpass(const std::uint8_t* const* src, int rows, const HorizontalPlan& plan,
                              std::int16_t* const* out) {
  if (plan.planar) {
    if (rows == 2)
      hpass_n<2, true>(src, plan, out);
    else
      hpass_n<1, true>(src, plan, out);
  } else {
    if (rows == 2)
      hpass_n<2, false>(src, plan, out);
    else
      hpass_n<1, false>(src, plan, out);
  }
}

// A row of vertical weight 0 adds nothing ((h * 0) >> 16 = 0): one row then.
RKYOLO_SIMD_TARGET void vpass(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1, std::uint8_t* out, int n,
                              std::uint8_t xor_mask) {
  if (b1 == 0 || b0 == 0)
    vpass_body<true>(b1 == 0 ? h0 : h1, b1 == 0 ? h0 : h1, b1 == 0 ? b0 : b1, 0, out, n, xor_mask);
  else
    vpass_body<false>(h0, h1, b0, b1, out, n, xor_mask);
}

RKYOLO_SIMD_TARGET void vpass_f32(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1, float* out, int n,
                                  float mean, float stdv) {
  if (b1 == 0 || b0 == 0)
    vpass_f32_body<true>(b1 == 0 ? h0 : h1, b1 == 0 ? h0 : h1, b1 == 0 ? b0 : b1, 0, out, n, mean, stdv);
  else
    vpass_f32_body<false>(h0, h1, b0, b1, out, n, mean, stdv);
}

RKYOLO_SIMD_TARGET void pick(const std::uint8_t* src, const PickPlan& plan, std::uint8_t* out, std::uint8_t xor_mask) {
  switch (plan.loads) {
    case 1: pick_n<1>(src, plan, out, xor_mask); break;
    case 2: pick_n<2>(src, plan, out, xor_mask); break;
    case 3: pick_n<3>(src, plan, out, xor_mask); break;
    default: pick_n<4>(src, plan, out, xor_mask); break;
  }
}

#else  // no explicit SIMD: the portable loops are used

bool available() {
  return false;
}
const char* isa_name() {
  return "none";
}
bool yuv_uses_blocks() {
  return false;
}
bool blend_available() {
  return false;
}
void blend(const std::uint8_t*, const std::uint8_t*, int, int, const BlendPlan&, std::uint8_t*, std::uint8_t) {}
void pack_weights(std::int16_t*, int, int, int) {}
void hpass(const std::uint8_t* const*, int, const HorizontalPlan&, std::int16_t* const*) {}
void vpass(const std::int16_t*, const std::int16_t*, int, int, std::uint8_t*, int, std::uint8_t) {}
void vpass_f32(const std::int16_t*, const std::int16_t*, int, int, float*, int, float, float) {}
void vblend(const std::uint8_t*, const std::uint8_t*, int, int, std::int16_t*, int) {}
void pick(const std::uint8_t*, const PickPlan&, std::uint8_t*, std::uint8_t) {}
void average(const std::uint8_t*, const std::uint8_t*, int, int, std::uint8_t*, std::uint8_t) {}
void planar_f32(const std::uint8_t*, int, float*, float*, float*, const float*, const float*) {}
void yuv_interleaved(const std::int16_t*, const std::int16_t*, const YuvPlan&, const YuvCoeffs&, std::uint8_t*,
                     std::uint8_t) {}
void yuv_planar_f32(const std::int16_t*, const std::int16_t*, const YuvPlan&, const YuvCoeffs&, float*, float*, float*,
                    const float*, const float*) {}

#endif

}  // namespace rkyolo::core::simd
