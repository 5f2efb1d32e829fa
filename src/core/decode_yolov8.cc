// YOLOv8 / YOLO11 decoding: split DFL heads (Rockchip layout, with or without
// score_sum) and the combined channel-first (1, 4+nc, A) tensor.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/decode.h"
#include "core/decode_internal.h"
#include "core/simd.h"

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define RKYOLO_DECODE_NEON 1
#elif defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>  // x86-64 baseline: no run-time dispatch needed
#include <immintrin.h>  // AVX2 kernels (target attribute), chosen at run time
#define RKYOLO_DECODE_SSE2 1
#endif

namespace rkyolo::core {

using detail::Elem;
using detail::Gate;

namespace {

// Running per-cell maximum over the allowed class channels. Channel-major, so
// NCHW planes are read contiguously (vectorized).
#define RKYOLO_PLANE_MAX(T)                                                                            \
  RKYOLO_MULTIVERSION void plane_max(const T* RKYOLO_RESTRICT plane, T* RKYOLO_RESTRICT best, int n) { \
    for (int i = 0; i < n; ++i) best[i] = plane[i] > best[i] ? plane[i] : best[i];                     \
  }
RKYOLO_PLANE_MAX(float)
RKYOLO_PLANE_MAX(std::int8_t)
RKYOLO_PLANE_MAX(std::uint8_t)
#undef RKYOLO_PLANE_MAX

// NC1HWC2 with every class allowed: per cell, the channels of a block are
// C2 contiguous elements; reduce them first, then merge into the cell maximum.
template <typename T, int kC2>
void block_max(const T* RKYOLO_RESTRICT block, int valid, T* RKYOLO_RESTRICT best, int cells) {
  if (valid == kC2) {
    for (int i = 0; i < cells; ++i) {
      const T* p = block + static_cast<std::size_t>(i) * kC2;
      T m = p[0];
      for (int j = 1; j < kC2; ++j) m = p[j] > m ? p[j] : m;
      best[i] = m > best[i] ? m : best[i];
    }
    return;
  }
  for (int i = 0; i < cells; ++i) {
    const T* p = block + static_cast<std::size_t>(i) * kC2;
    T m = best[i];
    for (int j = 0; j < valid; ++j) m = p[j] > m ? p[j] : m;
    best[i] = m;
  }
}

template <typename T>
void channel_max(const T* base, const TensorAccess& a, const std::vector<int>& allowed, T* best) {
  const int h = a.height, w = a.width;
  std::fill_n(best, static_cast<std::size_t>(h) * w, Elem<T>::lowest());
  const bool all = static_cast<int>(allowed.size()) == a.channels;
  if (all && a.pitch == w && (a.cell_step == 16 || a.cell_step == 8) && a.channels > 1 &&
      a.channel_offset[1] == 1) {  // NC1HWC2
    const int c2 = static_cast<int>(a.cell_step);
    for (int c0 = 0; c0 < a.channels; c0 += c2) {
      const T* block = base + a.channel_offset[c0];
      const int valid = std::min(c2, a.channels - c0);
      if (c2 == 16)
        block_max<T, 16>(block, valid, best, h * w);
      else
        block_max<T, 8>(block, valid, best, h * w);
    }
    return;
  }
  const bool dense = a.cell_step == 1 && a.pitch == w;
  for (int c : allowed) {
    const T* p = base + a.channel_offset[c];
    if (dense) {
      plane_max(p, best, h * w);
      continue;
    }
    for (int y = 0; y < h; ++y) {
      const T* row = p + static_cast<std::size_t>(y) * a.pitch * a.cell_step;
      T* out = best + static_cast<std::size_t>(y) * w;
      for (int x = 0; x < w; ++x) {
        const T v = row[static_cast<std::size_t>(x) * a.cell_step];
        out[x] = v > out[x] ? v : out[x];
      }
    }
  }
}

// First allowed class holding the maximum score of one cell.
template <typename T>
int arg_best(const T* base, const TensorAccess& a, std::size_t cell_off, const std::vector<int>& allowed, T* best_v) {
  int best_c = -1;
  T best = Elem<T>::lowest();
  for (int c : allowed) {
    const T v = base[a.channel_offset[c] + cell_off];
    if (best_c < 0 || v > best) best = v, best_c = c;
  }
  *best_v = best;
  return best_c;
}

// Expected distance of one box side: softmax over reg_max bins, sum(i * p_i).
template <typename T>
float dfl_side(const T* base, const TensorAccess& a, int first_channel, int reg_max, std::size_t cell_off,
               const float* exp_table) {
  T v[64];
  T vmax = Elem<T>::lowest();
  for (int j = 0; j < reg_max; ++j) {
    v[j] = base[a.channel_offset[first_channel + j] + cell_off];
    vmax = v[j] > vmax ? v[j] : vmax;
  }
  float num = 0, den = 0;
  if constexpr (Elem<T>::kQuantized) {
    for (int j = 0; j < reg_max; ++j) {
      const float e = exp_table[static_cast<int>(vmax) - static_cast<int>(v[j])];
      den += e;
      num += e * static_cast<float>(j);
    }
  } else {
    for (int j = 0; j < reg_max; ++j) {
      const float e = std::exp(v[j] - vmax);
      den += e;
      num += e * static_cast<float>(j);
    }
  }
  return num / den;
}

// ---------------------------------------------------------------------------
// int8 kernels of the split-head path: the score_sum scan, the best class of
// a native NC1HWC2 cell (C2 = 16) and DFL of one side whose reg_max = 16 bins
// are one NC1HWC2 block. NEON on aarch64, plain loops elsewhere; the results
// are the same integers (and the same float sums, see dfl_side16).
// ---------------------------------------------------------------------------

#if defined(RKYOLO_DECODE_NEON)
// Index of the first all-ones lane of a comparison result, 16 when none.
inline int first_lane(uint8x16_t mask) {
  const std::uint64_t bits = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(mask), 4)), 0);
  return bits == 0 ? 16 : __builtin_ctzll(bits) / 4;
}
#endif

#if defined(RKYOLO_DECODE_NEON)
// Bit i of the result: lane i of lo (i < 16) or lane i - 16 of hi is set.
inline std::uint32_t lane_bits(uint8x16_t lo, uint8x16_t hi) {
  static const std::uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  const uint8x16_t bit = vld1q_u8(kBit);
  uint8x16_t s = vpaddq_u8(vandq_u8(lo, bit), vandq_u8(hi, bit));
  s = vpaddq_u8(s, s);
  s = vpaddq_u8(s, s);  // bytes 0..3: lo's lanes 0-7, 8-15, hi's 0-7, 8-15
  return vgetq_lane_u32(vreinterpretq_u32_u8(s), 0);
}
#endif

// Bit i set when cell x + i of [x, min(x + 16, n)) passes: row[(x + i) * step] >= q.
// One pass over a row finds every score_sum survivor, 16 cells a step.
inline std::uint32_t pass_mask16_i8(const std::int8_t* row, std::size_t step, int x, int n, int q) {
  const int count = std::min(16, n - x);
  if (q <= -128) return (1u << count) - 1;
  if (q > 127) return 0;
  row += static_cast<std::size_t>(x) * step;
  if (count == 16) {
#if defined(RKYOLO_DECODE_NEON)
    const int8x16_t thr = vdupq_n_s8(static_cast<std::int8_t>(q));
    if (step == 1) return lane_bits(vcgeq_s8(vld1q_s8(row), thr), vdupq_n_u8(0));
    if (step == 16) {  // NC1HWC2 with one channel: byte 0 of every 16
      // vld4q splits 64 bytes by position mod 4: val[0] lanes 0, 4, 8, 12
      // are the 4 cells; two unzips gather the 16 cells' values in order.
      const int8x16_t a = vld4q_s8(row).val[0], b = vld4q_s8(row + 64).val[0];
      const int8x16_t c = vld4q_s8(row + 128).val[0], d = vld4q_s8(row + 192).val[0];
      const int8x16_t cells = vuzp1q_s8(vuzp1q_s8(a, b), vuzp1q_s8(c, d));
      return lane_bits(vcgeq_s8(cells, thr), vdupq_n_u8(0));
    }
#elif defined(RKYOLO_DECODE_SSE2)
    const __m128i below = _mm_set1_epi8(static_cast<char>(q - 1));  // v >= q  <=>  v > q - 1
    if (step == 1) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row));
      return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpgt_epi8(v, below)));
    }
    if (step == 16) {                           // NC1HWC2 with one channel: byte 0 of every 16
      auto cells4 = [](const std::int8_t* p) {  // byte 0 of 4 cells in lanes 0..3
        auto ld = [p](int k) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k)); };
        return _mm_unpacklo_epi16(_mm_unpacklo_epi8(ld(0), ld(1)), _mm_unpacklo_epi8(ld(2), ld(3)));
      };
      const __m128i cells = _mm_unpacklo_epi64(_mm_unpacklo_epi32(cells4(row), cells4(row + 64)),
                                               _mm_unpacklo_epi32(cells4(row + 128), cells4(row + 192)));
      return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpgt_epi8(cells, below)));
    }
#endif
  }
  std::uint32_t mask = 0;
  for (int i = 0; i < count; ++i)
    if (row[static_cast<std::size_t>(i) * step] >= q) mask |= 1u << i;
  return mask;
}

// Best class of one NC1HWC2 cell with C2 = 16, every class allowed: `cell`
// points at the cell in block 0, blocks are `block_stride` bytes apart.
// Ties go to the lowest class, like arg_best. Returns -1 (best_v set) when
// the best score is below `gate`: most cells stop after the maximum.
inline int arg_best_c16(const std::int8_t* cell, std::size_t block_stride, int channels, int gate,
                        std::int8_t* best_v) {
#if defined(RKYOLO_DECODE_NEON)
  const int full = channels / 16, rest = channels % 16;
  static const std::int8_t kLane[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const int8x16_t lane = vld1q_s8(kLane);
  int8x16_t m = vdupq_n_s8(-128);
  for (int b = 0; b < full; ++b) m = vmaxq_s8(m, vld1q_s8(cell + b * block_stride));
  int8x16_t last = vdupq_n_s8(-128);
  if (rest > 0) {  // padding channels hold garbage: mask them to -128
    const uint8x16_t valid = vcltq_s8(lane, vdupq_n_s8(static_cast<std::int8_t>(rest)));
    last = vbslq_s8(valid, vld1q_s8(cell + full * block_stride), vdupq_n_s8(-128));
    m = vmaxq_s8(m, last);
  }
  const std::int8_t best = vmaxvq_s8(m);
  *best_v = best;
  if (best < gate) return -1;
  const int8x16_t target = vdupq_n_s8(best);
  for (int b = 0; b <= full; ++b) {
    const int8x16_t v = b < full ? vld1q_s8(cell + b * block_stride) : last;
    if (const int i = first_lane(vceqq_s8(v, target)); i < 16) return b * 16 + i;
  }
  return 0;  // not reached: best came from one of the blocks
#elif defined(RKYOLO_DECODE_SSE2)
  // Signed bytes compared as unsigned after flipping the top bit (SSE2 has
  // no signed byte max); 0 then stands for -128.
  const int full = channels / 16, rest = channels % 16;
  const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
  auto load = [&](int b) {
    return _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(cell + b * block_stride)), flip);
  };
  __m128i m = _mm_setzero_si128();
  for (int b = 0; b < full; ++b) m = _mm_max_epu8(m, load(b));
  __m128i last = _mm_setzero_si128();
  if (rest > 0) {  // padding channels hold garbage: mask them to -128
    alignas(16) static const std::uint8_t kOnes[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    const __m128i valid = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kOnes + 16 - rest));
    last = _mm_and_si128(load(full), valid);
    m = _mm_max_epu8(m, last);
  }
  m = _mm_max_epu8(m, _mm_srli_si128(m, 8));
  m = _mm_max_epu8(m, _mm_srli_si128(m, 4));
  m = _mm_max_epu8(m, _mm_srli_si128(m, 2));
  m = _mm_max_epu8(m, _mm_srli_si128(m, 1));
  const int best_u = _mm_cvtsi128_si32(m) & 0xFF;
  *best_v = static_cast<std::int8_t>(best_u ^ 0x80);
  if (*best_v < gate) return -1;
  const __m128i target = _mm_set1_epi8(static_cast<char>(best_u));
  for (int b = 0; b <= full; ++b) {
    const __m128i v = b < full ? load(b) : last;
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(v, target));
    if (mask != 0) return b * 16 + __builtin_ctz(static_cast<unsigned>(mask));
  }
  return 0;  // not reached
#else
  int best_c = 0;
  std::int8_t best = -128;
  for (int c = 0; c < channels; ++c) {
    const std::int8_t v = cell[(c / 16) * block_stride + c % 16];
    if (c == 0 || v > best) best = v, best_c = c;
  }
  *best_v = best;
  return best < gate ? -1 : best_c;
#endif
}

// DFL of one side with 16 int8 bins stored contiguously (one NC1HWC2 block):
// softmax through the exp table, sum(i * p_i). The sums run in the same order
// as dfl_side's (bin 0 first), so both give the same float.
inline float dfl_side16(const std::int8_t* bins, const float* exp_table) {
#if defined(RKYOLO_DECODE_NEON)
  const int8x16_t v = vld1q_s8(bins);
  const std::int8_t vmax = vmaxvq_s8(v);
  // vmax - v in 0..255: the wrapping int8 difference read as uint8.
  std::uint8_t d[16];
  vst1q_u8(d, vreinterpretq_u8_s8(vsubq_s8(vdupq_n_s8(vmax), v)));
#else
  std::int8_t vmax = bins[0];
  for (int j = 1; j < 16; ++j) vmax = bins[j] > vmax ? bins[j] : vmax;
  std::uint8_t d[16];
  for (int j = 0; j < 16; ++j) d[j] = static_cast<std::uint8_t>(vmax - bins[j]);
#endif
  float num = 0, den = 0;
  for (int j = 0; j < 16; ++j) {
    const float e = exp_table[d[j]];
    den += e;
    num += e * static_cast<float>(j);
  }
  return num / den;
}

// ---------------------------------------------------------------------------
// NCHW int8 class planes with an int8 score_sum plane (standard
// rknn_outputs_get outputs): cells are scanned kScanBlock at a time. One
// vector compare of the score_sum bytes finds the blocks holding survivors;
// only those read the class planes, plane-major, keeping a running per-cell
// maximum (the benchmarks' YOLOv8n frame: 585 of 8400 cells survive,
// scattered, and 237 of 263 blocks are read: the win is reading 32 cells per
// instruction, not skipping blocks); the cells whose maximum passes the class
// gate then look up their class. AVX2 on x86-64 (chosen at run time), NEON
// on aarch64, plain loops elsewhere; all give the same bits.
// ---------------------------------------------------------------------------

constexpr int kScanBlock = 32;  // cells per block: one AVX2 vector, two NEON ones

// What a block scan needs besides the block's position. Gates are clamped to
// [-128, 127] (a gate above 127 passes nothing and is handled by the caller).
struct PlaneScan {
  std::size_t plane = 0;  // elements between class planes
  int channels = 0;
  int sum_q = 0, cls_q = 0;
};

// Cells [0, count) of a block, count <= kScanBlock: bit i is set when
// sum[i] >= sum_q and the maximum of the class planes at cell i (written to
// best[i]) >= cls_q. Plain loops: the reference for the vector versions, and
// the path for runs shorter than a block.
std::uint32_t scan_block_portable(const std::int8_t* sum, const std::int8_t* cls, const PlaneScan& s, int count,
                                  std::int8_t* best) {
  std::uint32_t mask = 0;
  for (int i = 0; i < count; ++i)
    if (sum[i] >= s.sum_q) mask |= 1u << i;
  if (mask == 0) return 0;
  for (int i = 0; i < count; ++i) best[i] = -128;
  for (int c = 0; c < s.channels; ++c) {
    const std::int8_t* p = cls + c * s.plane;
    for (int i = 0; i < count; ++i) best[i] = p[i] > best[i] ? p[i] : best[i];
  }
  for (int i = 0; i < count; ++i)
    if (best[i] < s.cls_q) mask &= ~(1u << i);
  return mask;
}

#if defined(RKYOLO_DECODE_NEON)
std::uint32_t scan_block_simd(const std::int8_t* sum, const std::int8_t* cls, const PlaneScan& s, std::int8_t* best) {
  const int8x16_t sq = vdupq_n_s8(static_cast<std::int8_t>(s.sum_q));
  const uint8x16_t pass_lo = vcgeq_s8(vld1q_s8(sum), sq), pass_hi = vcgeq_s8(vld1q_s8(sum + 16), sq);
  if (vmaxvq_u8(vorrq_u8(pass_lo, pass_hi)) == 0) return 0;
  int8x16_t lo = vdupq_n_s8(-128), hi = lo;
  const std::int8_t* p = cls;
  auto step = [&] {  // one plane: a 32-byte load that moves p on (ld1 post-index)
    const int8x16x2_t v = vld1q_s8_x2(p);
    p += s.plane;
    lo = vmaxq_s8(lo, v.val[0]);
    hi = vmaxq_s8(hi, v.val[1]);
  };
  int c = 0;
  for (; c + 4 <= s.channels; c += 4) {  // 4 planes a step: less loop overhead
    step();
    step();
    step();
    step();
  }
  for (; c < s.channels; ++c) step();
  vst1q_s8(best, lo);
  vst1q_s8(best + 16, hi);
  const int8x16_t cq = vdupq_n_s8(static_cast<std::int8_t>(s.cls_q));
  return lane_bits(vandq_u8(pass_lo, vcgeq_s8(lo, cq)), vandq_u8(pass_hi, vcgeq_s8(hi, cq)));
}

bool scan_block_simd_available() {
  return true;
}
#elif defined(RKYOLO_DECODE_SSE2) && defined(__GNUC__)
__attribute__((target("avx2"))) inline __m256i load(const std::int8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// v >= q per signed byte, as all-ones lanes (AVX2 has no signed >=).
__attribute__((target("avx2"))) inline __m256i ge_epi8(__m256i v, __m256i q) {
  return _mm256_cmpeq_epi8(_mm256_max_epi8(v, q), v);
}

__attribute__((target("avx2"))) std::uint32_t scan_block_simd(const std::int8_t* sum, const std::int8_t* cls,
                                                              const PlaneScan& s, std::int8_t* best) {
  const __m256i pass = ge_epi8(load(sum), _mm256_set1_epi8(static_cast<char>(s.sum_q)));
  const std::uint32_t mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(pass));
  if (mask == 0) return 0;
  // 8 planes a step (less loop overhead), two accumulators (a shorter chain).
  __m256i m0 = _mm256_set1_epi8(-128), m1 = m0;
  const std::int8_t* p = cls;
  const std::size_t s1 = s.plane;
  int c = 0;
  for (; c + 8 <= s.channels; c += 8, p += 8 * s1) {
    for (int k = 0; k < 8; k += 2) {
      m0 = _mm256_max_epi8(m0, load(p + k * s1));
      m1 = _mm256_max_epi8(m1, load(p + (k + 1) * s1));
    }
  }
  for (; c < s.channels; ++c, p += s.plane) m0 = _mm256_max_epi8(m0, load(p));
  m0 = _mm256_max_epi8(m0, m1);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(best), m0);
  return mask &
         static_cast<std::uint32_t>(_mm256_movemask_epi8(ge_epi8(m0, _mm256_set1_epi8(static_cast<char>(s.cls_q)))));
}

bool scan_block_simd_available() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return yes;
}
#else
std::uint32_t scan_block_simd(const std::int8_t*, const std::int8_t*, const PlaneScan&, std::int8_t*) {
  return 0;
}

bool scan_block_simd_available() {
  return false;
}
#endif

// Calls found(cell, class, score) for every cell of [0, n) that passes both
// gates, in order. Whole blocks go through the vector kernel when `simd`; the
// last partial block is re-read as the run's last full block, its cells
// before `start` masked off. The class is the first plane holding the
// maximum: the lowest index on ties, like arg_best.
template <typename Found>
Status scan_planes(const std::int8_t* sum, const std::int8_t* cls, const PlaneScan& s, int n, bool simd,
                   Found&& found) {
  std::int8_t best[kScanBlock];
  for (int start = 0; start < n; start += kScanBlock) {
    int first = start;
    std::uint32_t mask;
    if (!simd || n < kScanBlock) {
      mask = scan_block_portable(sum + start, cls + start, s, std::min(kScanBlock, n - start), best);
    } else {
      first = std::min(start, n - kScanBlock);
      mask = scan_block_simd(sum + first, cls + first, s, best) & (~0u << (start - first));
    }
    for (; mask != 0; mask &= mask - 1) {
      const int i = __builtin_ctz(mask);
      const std::int8_t* p = cls + first + i;
      int c = 0;
      while (p[c * s.plane] != best[i]) ++c;
      RKYOLO_RETURN_IF_ERROR(found(first + i, c, best[i]));
    }
  }
  return Status();
}

}  // namespace

Status Decoder::decode_v8_split(const std::vector<TensorView>& outputs, std::vector<Candidate>* out) {
  const int reg_max = layout_.reg_max;
  if (reg_max > 64) return unsupported_model(MessageId::kDecodeRegMax);
  const float conf = options_.conf_threshold;
  for (const HeadBinding& head : layout_.heads) {
    const OutputState& box_s = state_[head.box_output];
    const OutputState& cls_s = state_[head.class_output];
    const OutputState* sum_s = head.sum_output >= 0 ? &state_[head.sum_output] : nullptr;
    const TensorAccess& ba = box_s.access;
    const TensorAccess& ca = cls_s.access;
    const int h = head.grid_h, w = head.grid_w;
    const float stride = static_cast<float>(head.stride);
    Gate cls_gate;
    cls_gate.f = conf;
    cls_gate.q = cls_s.score_gate_q;
    // int8 fast paths (arrangements checked by configure): each DFL side one
    // contiguous 16-bin run, every class allowed with classes in C2 = 16
    // blocks, or in NCHW planes with an NCHW int8 score_sum (scan_planes, over
    // the whole grid when rows are unpadded, else per row).
    const bool all_classes = static_cast<int>(allowed_list_.size()) == ca.channels;
    const bool box_sides16 = box_s.sides16;
    const bool box_planes16 = box_s.planes && reg_max == 16;
    const std::size_t box_plane = static_cast<std::size_t>(ba.height) * ba.pitch;
    const std::size_t cls_block = static_cast<std::size_t>(ca.height) * ca.pitch * 16;
    const bool cls_c16 = cls_s.blocks16 && all_classes;
    const bool cls_planes = cls_s.planes && all_classes && sum_s != nullptr && sum_s->planes;
    const bool simd = simd_enabled_ && scan_block_simd_available();
    PlaneScan scan;
    scan.plane = static_cast<std::size_t>(ca.height) * ca.pitch;
    scan.channels = ca.channels;

    auto run = [&]<typename TC>() -> Status {
      const TC* cls = static_cast<const TC*>(outputs[head.class_output].data);
      auto emit = [&](int y, int x, int c, float score) -> Status {
        auto decode_box = [&]<typename TB>() -> Status {
          const TB* box = static_cast<const TB*>(outputs[head.box_output].data);
          const std::size_t boff = static_cast<std::size_t>(y * ba.pitch + x) * ba.cell_step;
          const float* table = box_s.exp_table.empty() ? nullptr : box_s.exp_table.data();
          float d[4];
          bool done = false;
          if constexpr (std::is_same_v<TB, std::int8_t>) {
            if (box_sides16) {
              for (int side = 0; side < 4; ++side)
                d[side] = dfl_side16(box + ba.channel_offset[16 * side] + boff, table);
              done = true;
            } else if (box_planes16) {  // NCHW: gather each side's 16 bins from their planes
              for (int side = 0; side < 4; ++side) {
                std::int8_t bins[16];
                const std::int8_t* p = box + ba.channel_offset[16 * side] + boff;
                for (int j = 0; j < 16; ++j) bins[j] = p[j * box_plane];
                d[side] = dfl_side16(bins, table);
              }
              done = true;
            }
          }
          if (!done)
            for (int side = 0; side < 4; ++side) d[side] = dfl_side(box, ba, side * reg_max, reg_max, boff, table);
          const float l = d[0], t = d[1], r = d[2], b = d[3];
          const float cx = static_cast<float>(x) + 0.5f, cy = static_cast<float>(y) + 0.5f;
          push_xyxy(out, (cx - l) * stride, (cy - t) * stride, (cx + r) * stride, (cy + b) * stride, score, c);
          return Status();
        };
        return detail::dispatch_dtype(ba.dtype, decode_box);
      };

      if constexpr (std::is_same_v<TC, std::int8_t>) {
        if (cls_planes) {
          const TensorAccess& sa = sum_s->access;
          if (sum_s->sum_gate_q > 127 || cls_gate.q > 127) return Status();  // nothing passes
          scan.sum_q = std::max(sum_s->sum_gate_q, -128);
          scan.cls_q = std::max(cls_gate.q, -128);
          const std::int8_t* sum =
              static_cast<const std::int8_t*>(outputs[head.sum_output].data) + sa.channel_offset[0];
          const std::int8_t* planes = cls + ca.channel_offset[0];
          const bool flat = sa.pitch == w && ca.pitch == w;  // one run of h * w cells
          for (int y = 0; y < (flat ? 1 : h); ++y) {
            auto found = [&](int cell, int c, std::int8_t best) {
              const int yy = flat ? cell / w : y, xx = flat ? cell % w : cell;
              return emit(yy, xx, c, Elem<TC>::deq(best, ca.quant));
            };
            RKYOLO_RETURN_IF_ERROR(scan_planes(sum + static_cast<std::size_t>(y) * sa.pitch,
                                               planes + static_cast<std::size_t>(y) * ca.pitch, scan, flat ? h * w : w,
                                               simd, found));
          }
          return Status();
        }
      }
      if (sum_s != nullptr) {
        // score_sum >= every class score: skip whole cells cheaply.
        auto with_sum = [&]<typename TS>() -> Status {
          const TS* sum = static_cast<const TS*>(outputs[head.sum_output].data);
          const TensorAccess& sa = sum_s->access;
          Gate sum_gate;
          sum_gate.f = sum_s->sum_gate_f;
          sum_gate.q = sum_s->sum_gate_q;
          for (int y = 0; y < h; ++y) {
            const TS* srow = sum + sa.channel_offset[0] + static_cast<std::size_t>(y) * sa.pitch * sa.cell_step;
            for (int x0 = 0; x0 < w; x0 += 16) {
              std::uint32_t pass = 0;  // survivors among cells [x0, x0 + 16)
              if constexpr (std::is_same_v<TS, std::int8_t>) {
                pass = pass_mask16_i8(srow, sa.cell_step, x0, w, sum_gate.q);
              } else {
                for (int i = 0; i < 16 && x0 + i < w; ++i)
                  if (sum_gate.pass(srow[static_cast<std::size_t>(x0 + i) * sa.cell_step])) pass |= 1u << i;
              }
              for (; pass != 0; pass &= pass - 1) {
                const int x = x0 + __builtin_ctz(pass);
                TC best;
                const std::size_t coff = static_cast<std::size_t>(y * ca.pitch + x) * ca.cell_step;
                int c;
                if constexpr (std::is_same_v<TC, std::int8_t>) {
                  c = cls_c16
                          ? arg_best_c16(cls + ca.channel_offset[0] + coff, cls_block, ca.channels, cls_gate.q, &best)
                          : arg_best(cls, ca, coff, allowed_list_, &best);
                } else {
                  c = arg_best(cls, ca, coff, allowed_list_, &best);
                }
                if (c < 0 || !cls_gate.pass(best)) continue;
                RKYOLO_RETURN_IF_ERROR(emit(y, x, c, Elem<TC>::deq(best, ca.quant)));
              }
            }
          }
          return Status();
        };
        return detail::dispatch_dtype(sum_s->access.dtype, with_sum);
      }
      // No score_sum: per-cell maximum over classes, channel-major.
      TC* best = reinterpret_cast<TC*>(cell_max_.data());
      channel_max(cls, ca, allowed_list_, best);
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          if (!cls_gate.pass(best[y * w + x])) continue;
          TC v;
          const std::size_t coff = static_cast<std::size_t>(y * ca.pitch + x) * ca.cell_step;
          const int c = arg_best(cls, ca, coff, allowed_list_, &v);
          RKYOLO_RETURN_IF_ERROR(emit(y, x, c, Elem<TC>::deq(v, ca.quant)));
        }
      }
      return Status();
    };
    RKYOLO_RETURN_IF_ERROR(detail::dispatch_dtype(ca.dtype, run));
  }
  return Status();
}

Status Decoder::decode_v8_combined(const std::vector<TensorView>& outputs, std::vector<Candidate>* out) {
  const OutputState& s = state_[layout_.combined_output];
  const TensorAccess& a = s.access;
  const int nc = layout_.num_classes;
  Gate gate;
  gate.f = options_.conf_threshold;
  gate.q = s.score_gate_q;
  auto run = [&]<typename T>() -> Status {
    const T* data = static_cast<const T*>(outputs[layout_.combined_output].data);
    auto push = [&](float cx, float cy, float bw, float bh, int c, float score) {
      push_cxcywh(out, cx, cy, bw, bh, score, c);
    };
    if (layout_.transposed) {  // (1, A, 4+nc): one row per anchor
      for (std::int64_t r = 0; r < a.rows; ++r) {
        const T* row = data + r * a.cols;
        int best_c = -1;
        T best = Elem<T>::lowest();
        for (int c : allowed_list_)
          if (best_c < 0 || row[4 + c] > best) best = row[4 + c], best_c = c;
        if (best_c < 0 || !gate.pass(best)) continue;
        push(Elem<T>::deq(row[0], a.quant), Elem<T>::deq(row[1], a.quant), Elem<T>::deq(row[2], a.quant),
             Elem<T>::deq(row[3], a.quant), best_c, Elem<T>::deq(best, a.quant));
      }
      return Status();
    }
    // (1, 4+nc, A): channel-major maximum, then survivors.
    const int n = static_cast<int>(a.cols);
    T* best = reinterpret_cast<T*>(cell_max_.data());
    std::fill_n(best, n, Elem<T>::lowest());
    for (int c : allowed_list_) plane_max(data + static_cast<std::size_t>(4 + c) * n, best, n);
    for (int i = 0; i < n; ++i) {
      if (!gate.pass(best[i])) continue;
      int best_c = -1;
      for (int c : allowed_list_)
        if (data[static_cast<std::size_t>(4 + c) * n + i] == best[i]) {
          best_c = c;
          break;
        }
      (void)nc;
      push(Elem<T>::deq(data[i], a.quant), Elem<T>::deq(data[n + i], a.quant),
           Elem<T>::deq(data[2 * static_cast<std::size_t>(n) + i], a.quant),
           Elem<T>::deq(data[3 * static_cast<std::size_t>(n) + i], a.quant), best_c, Elem<T>::deq(best[i], a.quant));
    }
    return Status();
  };
  return detail::dispatch_dtype(a.dtype, run);
}

}  // namespace rkyolo::core
