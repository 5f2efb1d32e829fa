// rkyolo: explicit SIMD kernels of the letterbox passes: AVX2 on x86-64
// (chosen at run time), NEON on aarch64 (baseline there, chosen at build
// time). Bit-exact with the scalar reference: the same fixed-point products
// and the same roundings.
#pragma once

#include <cstdint>

#include "core/letterbox_yuv.h"

namespace rkyolo::core::simd {

// True when this build and CPU can run the kernels below (checked once):
// AVX2 on x86-64, always on aarch64, never elsewhere.
bool available();
// "avx2", "neon" or "none": what available() answers for.
const char* isa_name();

// OpenCV's horizontal pass of one interleaved 3-channel source row, per
// output pixel x with first tap at byte index[x] (3 * sx; the second tap is
// the next pixel, 3 bytes on) and 11-bit weights (a0, a1):
// h = (S[i + sc] a0 + S[i + 3 + sc] a1) >> 4, sc the source channel of tensor
// channel c (2 - c when swap). Exact in int32 (pmaddwd / vmlal), like
// OpenCV's HResizeLinear, kept as h >> 4 for the vertical step.
struct HorizontalPlan {
  const std::int32_t* index = nullptr;    // n entries; each pixel reads 8 bytes from src + index[x]
  const std::int16_t* weights = nullptr;  // kHorizontalWeights * n entries, laid out by pack_weights
  int n = 0;                              // pixels handled (a multiple of 8)
  int swap = 0;                           // tensor channel c from source channel 2 - c
  int planar = 0;                         // out[c * plane + x] (else out[3x + c])
  int plane = 0;                          // planar: distance between the channel runs
};

constexpr int kHorizontalWeights = 8;  // int16 per pixel reserved for its weights

// Stores pixel x's horizontal weights where this build's kernel reads them.
void pack_weights(std::int16_t* weights, int x, int a0, int a1);

// `rows` (1 or 2) source rows src[j] into out[j], sharing each pixel's
// offset and weight loads. Interleaved: writes 3 * n int16 and may touch 2
// more (overwritten by the caller's tail). Planar: writes n int16 per channel
// run.
void hpass(const std::uint8_t* const* src, int rows, const HorizontalPlan& plan, std::int16_t* const* out);

// OpenCV's vertical step on two horizontally resized rows (h >> 4, 11-bit
// weights b0, b1): out = clamp((((h0 b0) >> 16) + ((h1 b1) >> 16) + 2) >> 2).
// The bytes are stored xor xor_mask (0x80: int8 q = p - 128 bit patterns).
void vpass(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1, std::uint8_t* out, int n,
           std::uint8_t xor_mask);

// The same step into float: out = (p - mean) / stdv, the pixel table's
// float operations (one channel run of a planar tensor).
void vpass_f32(const std::int16_t* h0, const std::int16_t* h1, int b0, int b1, float* out, int n, float mean,
               float stdv);

// Pick rows: every horizontal and vertical tap has weight (2^11, 0) (the
// exact odd integer downscales 3:1, 5:1, ... and 1:1, detected from the
// weights), so OpenCV's arithmetic gives the source pixel itself:
// ((s 2^11) >> 4) 2^11 >> 16 = 4s and (4s + 2) >> 2 = s. The row is a byte
// shuffle: block b writes 16 output bytes (tensor order, swap applied) at
// min(16b, 3n - 16), each picked from the loads registers of 16 source bytes
// read from base (pshufb / tbl). Built once per plan by build_pick_blocks.
struct PickBlock {
  std::int32_t base = 0;  // first source byte loaded (the loads stay inside the row)
  // Per ISA (pack_pick): AVX2 one pshufb control per register (0x80: zero),
  // NEON one tbl index vector into all registers (table[0]).
  std::uint8_t table[4][16] = {};
};

struct PickPlan {
  const PickBlock* blocks = nullptr;  // pick_block_count(n) blocks
  int n = 0;                          // output pixels (3n bytes, 3n >= 16)
  int loads = 0;                      // registers of 16 source bytes per block, 1..kMaxPickLoads
};

constexpr int kMaxPickLoads = 4;

inline int pick_block_count(int n) {
  return (3 * n + 15) / 16;
}

// The blocks of a row of n output pixels, output pixel x being source pixel
// pixel[x] of a row of src_w pixels (swap: tensor channel c from source
// channel 2 - c). Returns the loads per block, or 0 when the row cannot be
// picked this way (fewer than 16 bytes, or 16 output bytes spanning more
// than kMaxPickLoads registers: downscales of 5:1 and more). Portable code:
// tests check it on any machine.
int build_pick_blocks(const std::int32_t* pixel, int n, int src_w, int swap, PickBlock* blocks);

// One source row picked into 3n bytes, xor xor_mask (0x80: int8 q = p - 128).
void pick(const std::uint8_t* src, const PickPlan& plan, std::uint8_t* out, std::uint8_t xor_mask);

// Average rows: every horizontal tap is (2^10, 2^10) on source pixels
// (2x, 2x + 1) and the row's vertical taps are (2^10, 2^10) (exact 2:1,
// detected from the weights), so OpenCV's arithmetic gives the rounded mean
// of the 2x2 source pixels: h = (a + b) 2^10 >> 4 = 64 (a + b),
// (h 2^10) >> 16 = a + b per row, and p = (a + b + c + d + 2) >> 2. Output
// pixel x, tensor channel c from source bytes 6x + sc and 6x + 3 + sc of rows
// r0 and r1 (sc = 2 - c when swap): 3n bytes xor xor_mask (0x80: int8
// q = p - 128), n >= kAverageMinPixels; reads 6n bytes of each row, writes
// exactly 3n.
constexpr int kAverageMinPixels = 8;
void average(const std::uint8_t* r0, const std::uint8_t* r1, int n, int swap, std::uint8_t* out, std::uint8_t xor_mask);

// Interleaved bytes (3 per pixel, tensor order) into the float planes:
// plane c, pixel x = (p - mean[c]) / stdv[c], the pixel table's operations.
void planar_f32(const std::uint8_t* in, int n, float* plane0, float* plane1, float* plane2, const float mean[3],
                const float stdv[3]);

// General ratios (NEON): OpenCV's two passes fused per block of 16 output
// bytes, no int16 row. Both taps of each byte are picked like PickBlock's
// (tbl, 4 registers of 16 source bytes from base), then
// h = (S0 a0 + S1 a1) >> 4 = S0 (a0 >> 4) + S1 (a1 >> 4) + ((S0 (a0 & 15) +
// S1 (a1 & 15)) >> 4) in 8-bit multiplies (exact: the floor division by 16
// split at the multiple of 16), and the vertical step in registers.
struct BlendBlock {
  std::int32_t base = 0;            // first source byte loaded
  std::uint8_t tap[2][16] = {};     // tbl indices of tap 0 and tap 1
  std::uint8_t weight[4][16] = {};  // a0 >> 4, a1 >> 4, a0 & 15, a1 & 15 per output byte
};

struct BlendPlan {
  const BlendBlock* blocks = nullptr;  // pick_block_count(n) blocks
  int n = 0;                           // output pixels (3n >= 16)
};

// Whether this build has the blend kernel (NEON: unsigned 8-bit multiplies;
// AVX2's pmaddubsw takes signed weights, and a0 >> 4 reaches 128).
bool blend_available();

// The blocks of a row of n output pixels with taps pixel0[x], pixel1[x]
// (source pixels) and 11-bit weights weights[2x], weights[2x + 1]. Returns
// kMaxPickLoads, or 0 when the row cannot be blended this way (no kernel,
// fewer than 16 bytes or 64 source bytes, or a block's taps spanning more
// than 64 bytes: downscales beyond about 4:1). Portable code.
int build_blend_blocks(const std::int32_t* pixel0, const std::int32_t* pixel1, const std::int16_t* weights, int n,
                       int src_w, int swap, BlendBlock* blocks);

// Content row from source rows r0, r1 with vertical weights b0, b1: 3n
// bytes xor xor_mask, OpenCV's integers.
void blend(const std::uint8_t* r0, const std::uint8_t* r1, int b0, int b1, const BlendPlan& plan, std::uint8_t* out,
           std::uint8_t xor_mask);

// YUV planes: vertical blend with 7-bit weights (b0 + b1 = 128): out = b0 * s0 + b1 * s1.
void vblend(const std::uint8_t* s0, const std::uint8_t* s1, int b0, int b1, std::int16_t* out, int n);

// Gather-free taps of 8 YUV output pixels (the NEON kernels): each block
// loads 32 int16 of the blended Y row from y_base and 32 of the U,V row from
// c_base, and table lookups (tbl) pick every pixel's two taps out of them.
// Built once per plan by build_yuv_blocks.
enum YuvBlockMode : std::int32_t {
  kYuvGather = 0,        // a span does not fit 32 int16 (downscale > 4): taps loaded pixel by pixel
  kYuvTable = 1,         // table lookups, bilinear luma
  kYuvTableNearest = 2,  // table lookups, every luma weight (2^11, 0): one luma tap (3:1, 1:1 ratios)
  // kYuvTableNearest and every chroma weight pair (3/4, 1/4) or (1/4, 3/4)
  // (the 3:2 and 1:2 chroma of those ratios): c_table[2c] holds the heavier
  // tap, and (3a + b + 4) >> 3 needs no multiply.
  kYuvTableNearestQuarter = 3,
};

struct YuvBlock {
  std::int32_t y_base = 0, c_base = 0;  // int16 offsets of the 32 elements loaded
  // Byte indices into the 64 loaded bytes, one int16 (2 bytes) per pixel:
  // y_table[t] is luma tap t, c_table[2c + t] tap t of chroma c (U, V).
  // Index 0xFF (beyond the table) yields 0, for taps of weight 0.
  std::uint8_t y_table[2][16] = {};
  std::uint8_t c_table[4][16] = {};
  std::int16_t y_w[2][8] = {};  // weights of tap 0, tap 1 per pixel
  std::int16_t c_w[2][8] = {};
};

// Consecutive blocks of one mode, so the kernels branch once per run. Block
// b covers pixels 8b - shift .. 8b - shift + 7: shift is 0 but for the last
// block of a width that is not a multiple of 8, which ends at the last pixel.
struct YuvRun {
  std::int32_t begin = 0, end = 0;  // blocks [begin, end)
  std::int32_t mode = kYuvGather;
  std::int32_t shift = 0;
};

// YUV sources, per output pixel x: Y at vy[y_index[x]] and vy[y_index[x] + 1]
// with weights y_weights[2x], y_weights[2x + 1]; chroma (U, V) pairs at
// vc[c_index[x]] and vc[c_index[x] + 2] (U,V interleaved) with c_weights.
// The NEON kernels read blocks and runs instead (yuv_uses_blocks()).
struct YuvPlan {
  const std::int32_t* y_index = nullptr;
  const std::int32_t* c_index = nullptr;
  const std::int16_t* y_weights = nullptr;
  const std::int16_t* c_weights = nullptr;
  const YuvBlock* blocks = nullptr;  // n / 8 blocks
  const YuvRun* runs = nullptr;
  int run_count = 0;
  int n = 0;    // pixels handled (a multiple of 8; with blocks, any n >= 8)
  int bgr = 0;  // tensor channel order B, G, R (else R, G, B)
};

// Whether this build's YUV kernels read YuvPlan::blocks (NEON).
bool yuv_uses_blocks();
// The blocks of plan's n pixels ((n + 7) / 8 entries, none when n < 8) and
// their runs (returns the count, at most the block count), from the
// per-pixel taps. A block is a
// table block when each of its spans fits 32 int16: luma for downscales up
// to about 4.3, chroma up to 4. Portable code: tests check it on any machine.
// The row buffers must hold 32 int16 from every base (they have 32 spare).
int build_yuv_blocks(const YuvPlan& plan, YuvBlock* blocks, YuvRun* runs);

// Resized Y, U, V (letterbox_yuv.h's fixed point) converted to bytes,
// 3 per pixel in tensor order, xor xor_mask; may touch 4 bytes more.
// Reads 4 int16 from every chroma offset and 2 from every luma offset.
void yuv_interleaved(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& plan, const YuvCoeffs& k,
                     std::uint8_t* out, std::uint8_t xor_mask);

// Planar float: plane c, pixel x = (p - mean[c]) / std[c].
void yuv_planar_f32(const std::int16_t* vy, const std::int16_t* vc, const YuvPlan& plan, const YuvCoeffs& k,
                    float* plane0, float* plane1, float* plane2, const float mean[3], const float stdv[3]);

}  // namespace rkyolo::core::simd
