/*
 * C-API conformance of the NPU emulator, written in C against rkyolo's own
 * RKNN declarations (src/backends/rknn/rknn_api.h, compiled separately from
 * the emulator's), linked to librknnrt.so like any Rockchip program.
 *
 * usage: rknn_conformance MODEL_RK3588 MODEL_RK3566 MODEL_RV1106 MODEL_OLD_TOOLKIT
 * The models are a pass-through graph (output = relu(input)), input 1x3x20x36,
 * so every byte that goes in can be checked coming out. Exit code = failures.
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/rknn/rknn_api.h"

static int g_failures = 0;
static const char* g_test = "";

#define CHECK(cond)                                                                \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "FAIL [%s] %s:%d: %s\n", g_test, __FILE__, __LINE__, #cond); \
      ++g_failures;                                                                \
    }                                                                              \
  } while (0)
#define CHECK_EQ(a, b)                                                                                             \
  do {                                                                                                             \
    long long va_ = (long long)(a), vb_ = (long long)(b);                                                          \
    if (va_ != vb_) {                                                                                              \
      fprintf(stderr, "FAIL [%s] %s:%d: %s == %s (%lld vs %lld)\n", g_test, __FILE__, __LINE__, #a, #b, va_, vb_); \
      ++g_failures;                                                                                                \
    }                                                                                                              \
  } while (0)

enum { H = 20, W = 36, C = 3 };
static const char* g_m3588;
static const char* g_m3566;
static const char* g_m1106;
static const char* g_old_toolkit;

static rknn_context init_path(const char* path, uint32_t flags) {
  rknn_context ctx = 0;
  int rc = rknn_init(&ctx, (void*)path, 0, flags, NULL);
  CHECK_EQ(rc, RKNN_SUCC);
  return ctx;
}

static void query_attr(rknn_context ctx, rknn_query_cmd cmd, uint32_t index, rknn_tensor_attr* a) {
  memset(a, 0, sizeof *a);
  a->index = index;
  CHECK_EQ(rknn_query(ctx, cmd, a, sizeof *a), RKNN_SUCC);
}

/* A test image with structure in every row, column and channel. */
static uint8_t pixel(int y, int x, int c) {
  return (uint8_t)((y * 37 + x * 11 + c * 101 + (x * y) % 7) & 255);
}

/* Expected output: relu(dequantize(q_in)) requantized, in NCHW order. */
static int8_t expected_q(const rknn_tensor_attr* in, const rknn_tensor_attr* out, int y, int x, int c) {
  int q = (int)pixel(y, x, c) - 128; /* mean 0, std 255, scale 1/255, zp -128 */
  float real = ((float)q - (float)in->zp) * in->scale;
  if (real < 0) real = 0;
  float r = roundf(real / out->scale) + (float)out->zp;
  if (r < -128) r = -128;
  if (r > 127) r = 127;
  return (int8_t)r;
}

/* Compares int8 NCHW output with the expectation; quantization of a value
 * computed in float may land one step off at exact ties. */
static void check_output_nchw(const rknn_tensor_attr* in, const rknn_tensor_attr* out, const int8_t* q) {
  int exact = 0, off_by_one = 0, bad = 0;
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        int d = abs((int)q[(c * H + y) * W + x] - (int)expected_q(in, out, y, x, c));
        if (d == 0)
          ++exact;
        else if (d == 1)
          ++off_by_one;
        else
          ++bad;
      }
  CHECK_EQ(bad, 0);
  CHECK(exact >= (H * W * C) * 99 / 100);
}

static void fill_packed_u8(uint8_t* buf) {
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      for (int c = 0; c < C; ++c) buf[(y * W + x) * C + c] = pixel(y, x, c);
}

/* Rows every w_stride pixels, garbage in the padding columns. */
static void fill_strided(uint8_t* buf, uint32_t w_stride, int as_int8) {
  for (int y = 0; y < H; ++y)
    for (uint32_t x = 0; x < w_stride; ++x)
      for (int c = 0; c < C; ++c) {
        uint8_t v = x < (uint32_t)W ? pixel(y, (int)x, c) : (uint8_t)(0xEE - c);
        if (as_int8 && x < (uint32_t)W) v = (uint8_t)(int8_t)((int)v - 128); /* two's complement bits */
        buf[(y * w_stride + x) * C + c] = v;
      }
}

static void run_general(rknn_context ctx, int8_t* out_q) {
  uint8_t img[H * W * C];
  fill_packed_u8(img);
  rknn_input in;
  memset(&in, 0, sizeof in);
  in.index = 0;
  in.buf = img;
  in.size = sizeof img;
  in.type = RKNN_TENSOR_UINT8;
  in.fmt = RKNN_TENSOR_NHWC;
  CHECK_EQ(rknn_inputs_set(ctx, 1, &in), RKNN_SUCC);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  rknn_output o;
  memset(&o, 0, sizeof o);
  o.want_float = 0;
  CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_SUCC);
  CHECK_EQ(o.size, H * W * C);
  if (o.buf) memcpy(out_q, o.buf, H * W * C);
  CHECK_EQ(rknn_outputs_release(ctx, 1, &o), RKNN_SUCC);
}

static void test_versions_and_counts(void) {
  g_test = "versions_and_counts";
  rknn_context ctx = init_path(g_m3588, 0);
  rknn_sdk_version v;
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_SDK_VERSION, &v, sizeof v), RKNN_SUCC);
  CHECK(strstr(v.api_version, "2.3.2") != NULL);
  CHECK(strstr(v.api_version, "emu") != NULL); /* says plainly it is the emulator */
  CHECK(strstr(v.drv_version, "rk3588") != NULL);
  setenv("RKNN_EMU_API_VERSION", "1.6.0 (fake)", 1);
  setenv("RKNN_EMU_DRV_VERSION", "0.9.2", 1);
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_SDK_VERSION, &v, sizeof v), RKNN_SUCC);
  CHECK(strcmp(v.api_version, "1.6.0 (fake)") == 0);
  CHECK(strcmp(v.drv_version, "0.9.2") == 0);
  unsetenv("RKNN_EMU_API_VERSION");
  unsetenv("RKNN_EMU_DRV_VERSION");
  rknn_input_output_num io;
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_IN_OUT_NUM, &io, sizeof io), RKNN_SUCC);
  CHECK_EQ(io.n_input, 1);
  CHECK_EQ(io.n_output, 1);
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_IN_OUT_NUM, &io, 4), RKNN_ERR_PARAM_INVALID); /* size too small */
  CHECK_EQ(rknn_query(ctx, (rknn_query_cmd)99, &io, sizeof io), RKNN_ERR_PARAM_INVALID);
  rknn_perf_run perf;
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_PERF_RUN, &perf, sizeof perf), RKNN_SUCC);
  CHECK_EQ(rknn_destroy(ctx), RKNN_SUCC);
}

static void check_input_attr(const char* model, uint32_t w_stride, uint32_t c2) {
  rknn_context ctx = init_path(model, 0);
  rknn_tensor_attr a;
  for (int cmd = 0; cmd < 3; ++cmd) {
    rknn_query_cmd q = cmd == 0   ? RKNN_QUERY_INPUT_ATTR
                       : cmd == 1 ? RKNN_QUERY_NATIVE_INPUT_ATTR
                                  : RKNN_QUERY_NATIVE_NHWC_INPUT_ATTR;
    query_attr(ctx, q, 0, &a);
    CHECK_EQ(a.n_dims, 4);
    CHECK_EQ(a.dims[0], 1);
    CHECK_EQ(a.dims[1], H);
    CHECK_EQ(a.dims[2], W);
    CHECK_EQ(a.dims[3], C);
    CHECK(strcmp(a.name, "images") == 0);
    CHECK_EQ(a.fmt, RKNN_TENSOR_NHWC);
    CHECK_EQ(a.type, RKNN_TENSOR_INT8);
    CHECK_EQ(a.qnt_type, RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC);
    CHECK_EQ(a.zp, -128);                          /* zero-point from mean 0 */
    CHECK(fabsf(a.scale - 1.0f / 255.0f) < 1e-7f); /* scale 1/std */
    CHECK_EQ(a.w_stride, w_stride);
    CHECK_EQ(a.size, H * W * C);
    CHECK_EQ(a.size_with_stride, H * w_stride * C);
  }
  a.index = 1;
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_INPUT_ATTR, &a, sizeof a), RKNN_ERR_PARAM_INVALID);
  rknn_tensor_attr o;
  query_attr(ctx, RKNN_QUERY_OUTPUT_ATTR, 0, &o);
  CHECK_EQ(o.fmt, RKNN_TENSOR_NCHW);
  CHECK_EQ(o.n_dims, 4);
  CHECK_EQ(o.dims[1], C);
  CHECK_EQ(o.dims[2], H);
  CHECK_EQ(o.dims[3], W);
  CHECK_EQ(o.type, RKNN_TENSOR_INT8);
  CHECK_EQ(o.size, H * W * C);
  query_attr(ctx, RKNN_QUERY_NATIVE_OUTPUT_ATTR, 0, &o);
  CHECK_EQ(o.fmt, RKNN_TENSOR_NC1HWC2);
  CHECK_EQ(o.n_dims, 5);
  CHECK_EQ(o.dims[1], 1); /* C1 = ceil(3 / C2) */
  CHECK_EQ(o.dims[2], H);
  CHECK_EQ(o.dims[3], W);
  CHECK_EQ(o.dims[4], c2);
  CHECK_EQ(o.size_with_stride, H * W * c2);
  CHECK_EQ(rknn_destroy(ctx), RKNN_SUCC);
}

static void test_attributes_per_target(void) {
  g_test = "attributes_per_target";
  check_input_attr(g_m3588, 48, 16); /* RK3588: width aligned to 16, C2 16 */
  check_input_attr(g_m3566, 40, 8);  /* RK3566: width aligned to 8, C2 8 */
  check_input_attr(g_m1106, 48, 16);
  rknn_context ctx = init_path(g_m3588, 0);
  rknn_tensor_attr a;
  memset(&a, 0, sizeof a);
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_NATIVE_NHWC_OUTPUT_ATTR, &a, sizeof a), RKNN_ERR_PARAM_INVALID);
  rknn_destroy(ctx);
  ctx = init_path(g_m1106, 0); /* RV1106 offers native NHWC outputs */
  query_attr(ctx, RKNN_QUERY_NATIVE_NHWC_OUTPUT_ATTR, 0, &a);
  CHECK_EQ(a.fmt, RKNN_TENSOR_NHWC);
  CHECK_EQ(a.dims[3], C);
  rknn_destroy(ctx);
}

static void test_general_api(void) {
  g_test = "general_api";
  rknn_context ctx = init_path(g_m3588, 0);
  rknn_tensor_attr in, out;
  query_attr(ctx, RKNN_QUERY_INPUT_ATTR, 0, &in);
  query_attr(ctx, RKNN_QUERY_OUTPUT_ATTR, 0, &out);
  int8_t q[H * W * C];
  run_general(ctx, q);
  check_output_nchw(&in, &out, q);
  /* want_float: dequantized float NCHW into a preallocated buffer. */
  float f[H * W * C];
  rknn_output o;
  memset(&o, 0, sizeof o);
  o.want_float = 1;
  o.is_prealloc = 1;
  o.buf = f;
  o.size = sizeof f;
  CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_SUCC);
  for (int i = 0; i < H * W * C; i += 97) CHECK(fabsf(f[i] - ((float)q[i] - (float)out.zp) * out.scale) < 1e-6f);
  o.size = 10; /* too small */
  CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_ERR_PARAM_INVALID);
  /* Wrong input size and type. */
  uint8_t small[10];
  rknn_input bad;
  memset(&bad, 0, sizeof bad);
  bad.buf = small;
  bad.size = sizeof small;
  bad.type = RKNN_TENSOR_UINT8;
  bad.fmt = RKNN_TENSOR_NHWC;
  CHECK(rknn_inputs_set(ctx, 1, &bad) != RKNN_SUCC);
  rknn_destroy(ctx);
  /* No input: rknn_run refuses. */
  ctx = init_path(g_m3588, 0);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_ERR_INPUT_INVALID);
  rknn_destroy(ctx);
}

static rknn_tensor_mem* bind_input(rknn_context ctx, rknn_tensor_attr attr, int type, int pass_through,
                                   uint32_t fill_stride, int as_int8) {
  rknn_tensor_mem* m = rknn_create_mem(ctx, attr.size_with_stride);
  CHECK(m != NULL);
  if (!m) return NULL;
  CHECK(m->virt_addr != NULL);
  CHECK(m->size >= attr.size_with_stride);
  fill_strided((uint8_t*)m->virt_addr, fill_stride, as_int8);
  attr.type = (rknn_tensor_type)type;
  attr.fmt = RKNN_TENSOR_NHWC;
  attr.pass_through = (uint8_t)pass_through;
  CHECK_EQ(rknn_set_io_mem(ctx, m, &attr), RKNN_SUCC);
  return m;
}

static void test_zero_copy_inputs(const char* model) {
  rknn_context ctx = init_path(model, 0);
  rknn_tensor_attr in, native, out;
  query_attr(ctx, RKNN_QUERY_INPUT_ATTR, 0, &in);
  query_attr(ctx, RKNN_QUERY_NATIVE_INPUT_ATTR, 0, &native);
  query_attr(ctx, RKNN_QUERY_OUTPUT_ATTR, 0, &out);
  int8_t general[H * W * C], q[H * W * C];
  run_general(ctx, general);
  rknn_destroy(ctx);

  /* (a) UINT8, pass_through 0: the NPU normalizes; rows every w_stride pixels. */
  ctx = init_path(model, 0);
  rknn_tensor_mem* m = bind_input(ctx, native, RKNN_TENSOR_UINT8, 0, native.w_stride, 0);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  rknn_output o;
  memset(&o, 0, sizeof o);
  CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_SUCC);
  CHECK(memcmp(o.buf, general, sizeof general) == 0); /* identical to the general API */
  rknn_outputs_release(ctx, 1, &o);
  rknn_destroy_mem(ctx, m);
  rknn_destroy(ctx);

  /* (b) INT8, pass_through 1: two's complement bit patterns taken as they are. */
  ctx = init_path(model, 0);
  m = bind_input(ctx, native, RKNN_TENSOR_INT8, 1, native.w_stride, 1);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  memset(&o, 0, sizeof o);
  CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_SUCC);
  CHECK(memcmp(o.buf, general, sizeof general) == 0);
  memcpy(q, o.buf, sizeof q);
  rknn_outputs_release(ctx, 1, &o);
  check_output_nchw(&in, &out, q);
  /* The w_stride trap: rows written every `width` pixels are read wrongly. */
  if (native.w_stride != (uint32_t)W) {
    fill_strided((uint8_t*)m->virt_addr, W, 1);
    CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
    memset(&o, 0, sizeof o);
    CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_SUCC);
    CHECK(memcmp(o.buf, general, sizeof general) != 0);
    rknn_outputs_release(ctx, 1, &o);
  }
  rknn_destroy_mem(ctx, m);
  rknn_destroy(ctx);
}

static void test_zero_copy(void) {
  g_test = "zero_copy_inputs_rk3588";
  test_zero_copy_inputs(g_m3588);
  g_test = "zero_copy_inputs_rk3566";
  test_zero_copy_inputs(g_m3566);
}

static void test_native_output(const char* model, uint32_t c2) {
  rknn_context ctx = init_path(model, 0);
  rknn_tensor_attr native_in, native_out;
  query_attr(ctx, RKNN_QUERY_NATIVE_INPUT_ATTR, 0, &native_in);
  query_attr(ctx, RKNN_QUERY_NATIVE_OUTPUT_ATTR, 0, &native_out);
  int8_t general[H * W * C];
  run_general(ctx, general);
  rknn_destroy(ctx);
  ctx = init_path(model, 0);
  rknn_tensor_mem* in = bind_input(ctx, native_in, RKNN_TENSOR_UINT8, 0, native_in.w_stride, 0);
  rknn_tensor_mem* out = rknn_create_mem(ctx, native_out.size_with_stride);
  CHECK(out != NULL);
  CHECK_EQ(rknn_set_io_mem(ctx, out, &native_out), RKNN_SUCC);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  const int8_t* p = (const int8_t*)out->virt_addr;
  int mismatches = 0, zero_padding = 0;
  for (uint32_t c = 0; c < c2; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const int8_t v = p[((c / c2) * H * W + y * W + x) * c2 + c % c2];
        if (c < C)
          mismatches += v != general[(c * H + y) * W + x];
        else
          zero_padding += v == 0;
      }
  CHECK_EQ(mismatches, 0);
  CHECK_EQ(zero_padding, 0); /* padding channels hold non-zero garbage */
  /* Mixing APIs on a zero-copy output is refused. */
  rknn_output o;
  memset(&o, 0, sizeof o);
  CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_ERR_PARAM_INVALID);
  rknn_destroy_mem(ctx, in);
  rknn_destroy_mem(ctx, out);
  rknn_destroy(ctx);
}

static void test_native_outputs(void) {
  g_test = "native_output_rk3588";
  test_native_output(g_m3588, 16);
  g_test = "native_output_rk3566";
  test_native_output(g_m3566, 8);
}

static void test_misuse(void) {
  g_test = "misuse";
  rknn_context ctx = init_path(g_m3588, 0);
  rknn_tensor_attr native, out;
  query_attr(ctx, RKNN_QUERY_NATIVE_INPUT_ATTR, 0, &native);
  query_attr(ctx, RKNN_QUERY_NATIVE_OUTPUT_ATTR, 0, &out);
  /* set_io_mem with too small a buffer */
  rknn_tensor_mem* small = rknn_create_mem(ctx, native.size_with_stride - 1);
  rknn_tensor_attr a = native;
  a.type = RKNN_TENSOR_UINT8;
  CHECK_EQ(rknn_set_io_mem(ctx, small, &a), RKNN_ERR_PARAM_INVALID);
  rknn_tensor_mem* small_out = rknn_create_mem(ctx, out.size_with_stride - 16);
  CHECK_EQ(rknn_set_io_mem(ctx, small_out, &out), RKNN_ERR_PARAM_INVALID);
  /* unknown tensor name */
  rknn_tensor_attr unknown = native;
  strcpy(unknown.name, "no_such_tensor");
  CHECK_EQ(rknn_set_io_mem(ctx, small, &unknown), RKNN_ERR_PARAM_INVALID);
  /* zero-copy then the general API on the same input */
  rknn_tensor_mem* m = bind_input(ctx, native, RKNN_TENSOR_UINT8, 0, native.w_stride, 0);
  uint8_t img[H * W * C];
  fill_packed_u8(img);
  rknn_input in;
  memset(&in, 0, sizeof in);
  in.buf = img;
  in.size = sizeof img;
  in.type = RKNN_TENSOR_UINT8;
  in.fmt = RKNN_TENSOR_NHWC;
  CHECK_EQ(rknn_inputs_set(ctx, 1, &in), RKNN_ERR_PARAM_INVALID);
  /* running after the bound memory was destroyed */
  CHECK_EQ(rknn_destroy_mem(ctx, m), RKNN_SUCC);
  CHECK(rknn_run(ctx, NULL) != RKNN_SUCC);
  CHECK_EQ(rknn_destroy_mem(ctx, m), RKNN_ERR_PARAM_INVALID); /* twice: an error, not a crash */
  CHECK_EQ(rknn_set_io_mem(ctx, m, &a), RKNN_ERR_PARAM_INVALID);
  rknn_destroy_mem(ctx, small);
  rknn_destroy_mem(ctx, small_out);
  rknn_destroy(ctx);
  /* the general API then zero-copy on the same input */
  ctx = init_path(g_m3588, 0);
  CHECK_EQ(rknn_inputs_set(ctx, 1, &in), RKNN_SUCC);
  m = rknn_create_mem(ctx, native.size_with_stride);
  CHECK_EQ(rknn_set_io_mem(ctx, m, &a), RKNN_ERR_PARAM_INVALID);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  rknn_output o;
  memset(&o, 0, sizeof o);
  CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_SUCC);
  CHECK_EQ(rknn_set_io_mem(ctx, m, &out), RKNN_ERR_PARAM_INVALID); /* output already read the copy way */
  rknn_outputs_release(ctx, 1, &o);
  rknn_destroy_mem(ctx, m);
  /* a destroyed context */
  CHECK_EQ(rknn_destroy(ctx), RKNN_SUCC);
  rknn_input_output_num io;
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_IN_OUT_NUM, &io, sizeof io), RKNN_ERR_CTX_INVALID);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_ERR_CTX_INVALID);
  CHECK_EQ(rknn_destroy(ctx), RKNN_ERR_CTX_INVALID);
  CHECK(rknn_create_mem(ctx, 64) == NULL);
  CHECK_EQ(rknn_query(0, RKNN_QUERY_IN_OUT_NUM, &io, sizeof io), RKNN_ERR_CTX_INVALID);
}

static void test_core_masks(void) {
  g_test = "core_masks";
  rknn_context ctx = init_path(g_m3588, 0);
  const int ok[] = {RKNN_NPU_CORE_AUTO, RKNN_NPU_CORE_0,     RKNN_NPU_CORE_1,  RKNN_NPU_CORE_2,
                    RKNN_NPU_CORE_0_1,  RKNN_NPU_CORE_0_1_2, RKNN_NPU_CORE_ALL};
  for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; ++i)
    CHECK_EQ(rknn_set_core_mask(ctx, (rknn_core_mask)ok[i]), RKNN_SUCC);
  CHECK(rknn_set_core_mask(ctx, (rknn_core_mask)8) != RKNN_SUCC);
  rknn_destroy(ctx);
  ctx = init_path(g_m3566, 0); /* single core: AUTO only */
  CHECK_EQ(rknn_set_core_mask(ctx, RKNN_NPU_CORE_AUTO), RKNN_SUCC);
  CHECK(rknn_set_core_mask(ctx, RKNN_NPU_CORE_0) != RKNN_SUCC);
  CHECK(rknn_set_core_mask(ctx, RKNN_NPU_CORE_0_1_2) != RKNN_SUCC);
  rknn_destroy(ctx);
}

static void test_rejected_models(void) {
  g_test = "rejected_models";
  rknn_context ctx = 0;
  char garbage[4096];
  for (unsigned i = 0; i < sizeof garbage; ++i) garbage[i] = (char)(i * 31 + 7);
  CHECK_EQ(rknn_init(&ctx, garbage, sizeof garbage, 0, NULL), RKNN_ERR_MODEL_INVALID);
  char real[64] = "RKNN\0\0\0\0 a real rknn model header";
  CHECK_EQ(rknn_init(&ctx, real, sizeof real, 0, NULL), RKNN_ERR_MODEL_INVALID);
  CHECK_EQ(rknn_init(&ctx, (void*)"/nonexistent/model.rknn", 0, 0, NULL), RKNN_ERR_MODEL_INVALID);
  /* every truncation of a valid model */
  FILE* f = fopen(g_m3588, "rb");
  CHECK(f != NULL);
  if (!f) return;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* bytes = (char*)malloc((size_t)n);
  CHECK_EQ(fread(bytes, 1, (size_t)n, f), n);
  fclose(f);
  for (long len = 0; len < n; len += (len < 64 ? 1 : 97))
    CHECK_EQ(rknn_init(&ctx, bytes, (uint32_t)len, 0, NULL), RKNN_ERR_MODEL_INVALID);
  bytes[n / 2] ^= 0x40; /* one flipped bit */
  CHECK_EQ(rknn_init(&ctx, bytes, (uint32_t)n, 0, NULL), RKNN_ERR_MODEL_INVALID);
  bytes[n / 2] ^= 0x40;
  CHECK_EQ(rknn_init(&ctx, bytes, (uint32_t)n, 0, NULL), RKNN_SUCC); /* from a buffer */
  rknn_destroy(ctx);
  free(bytes);
  CHECK_EQ(rknn_init(NULL, (void*)g_m3588, 0, 0, NULL), RKNN_ERR_PARAM_INVALID);
}

static void test_faults(void) {
  g_test = "faults";
  rknn_context ctx = 0;
  setenv("RKNN_EMU_FAIL_INIT", "device_unavailable", 1);
  CHECK_EQ(rknn_init(&ctx, (void*)g_m3588, 0, 0, NULL), RKNN_ERR_DEVICE_UNAVAILABLE);
  unsetenv("RKNN_EMU_FAIL_INIT");
  /* an old runtime and a model built by a newer toolkit */
  setenv("RKNN_EMU_API_VERSION", "1.4.0 (a9b2bd9b7@2022-08-12)", 1);
  CHECK_EQ(rknn_init(&ctx, (void*)g_m3588, 0, 0, NULL), RKNN_ERR_MODEL_INVALID);
  CHECK_EQ(rknn_init(&ctx, (void*)g_old_toolkit, 0, 0, NULL), RKNN_SUCC); /* built by toolkit 1.4.0 */
  rknn_destroy(ctx);
  unsetenv("RKNN_EMU_API_VERSION");
  ctx = init_path(g_m3588, 0);
  setenv("RKNN_EMU_CREATE_MEM_NULL", "1", 1);
  CHECK(rknn_create_mem(ctx, 1024) == NULL);
  CHECK(rknn_create_mem2(ctx, 1024, 0) == NULL);
  unsetenv("RKNN_EMU_CREATE_MEM_NULL");
  rknn_tensor_mem* m = rknn_create_mem2(ctx, 1024, RKNN_FLAG_MEMORY_CACHEABLE);
  CHECK(m != NULL);
  rknn_destroy_mem(ctx, m);
  rknn_destroy(ctx);
  /* rknn_run fails on the N-th call of a context, only that one; the context stays usable */
  setenv("RKNN_EMU_FAIL_RUN_AT", "3", 1);
  ctx = init_path(g_m3588, 0);
  uint8_t img[H * W * C];
  fill_packed_u8(img);
  rknn_input in;
  memset(&in, 0, sizeof in);
  in.buf = img;
  in.size = sizeof img;
  in.type = RKNN_TENSOR_UINT8;
  in.fmt = RKNN_TENSOR_NHWC;
  CHECK_EQ(rknn_inputs_set(ctx, 1, &in), RKNN_SUCC);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_ERR_FAIL);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  unsetenv("RKNN_EMU_FAIL_RUN_AT");
  rknn_destroy(ctx);
}

static void test_dup_context(void) {
  g_test = "dup_context";
  rknn_context a = init_path(g_m3588, 0), b = 0;
  CHECK_EQ(rknn_dup_context(&a, &b), RKNN_SUCC);
  CHECK(b != 0 && b != a);
  int8_t qa[H * W * C], qb[H * W * C];
  run_general(a, qa);
  CHECK_EQ(rknn_destroy(a), RKNN_SUCC); /* the shared model outlives the first context */
  run_general(b, qb);
  CHECK(memcmp(qa, qb, sizeof qa) == 0);
  rknn_destroy(b);
  rknn_context bad = 12345;
  CHECK_EQ(rknn_dup_context(&bad, &b), RKNN_ERR_CTX_INVALID);
}

static void test_manual_cache_sync(void) {
  g_test = "manual_cache_sync";
  const uint32_t flags = RKNN_FLAG_DISABLE_FLUSH_INPUT_MEM_CACHE | RKNN_FLAG_DISABLE_FLUSH_OUTPUT_MEM_CACHE;
  rknn_context ctx = init_path(g_m3588, 0);
  int8_t general[H * W * C];
  run_general(ctx, general);
  rknn_destroy(ctx);
  ctx = init_path(g_m3588, flags);
  rknn_tensor_attr nin, nout;
  query_attr(ctx, RKNN_QUERY_NATIVE_INPUT_ATTR, 0, &nin);
  query_attr(ctx, RKNN_QUERY_OUTPUT_ATTR, 0, &nout);
  rknn_tensor_mem* in = bind_input(ctx, nin, RKNN_TENSOR_UINT8, 0, nin.w_stride, 0);
  rknn_tensor_mem* out = rknn_create_mem(ctx, nout.size_with_stride);
  CHECK_EQ(rknn_set_io_mem(ctx, out, &nout), RKNN_SUCC); /* NCHW int8 zero-copy output */
  /* Without syncs the NPU sees stale memory and the CPU stale results. */
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  CHECK(memcmp(out->virt_addr, general, sizeof general) != 0);
  CHECK_EQ(rknn_mem_sync(ctx, in, RKNN_MEMORY_SYNC_TO_DEVICE), RKNN_SUCC);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  CHECK(memcmp(out->virt_addr, general, sizeof general) != 0);
  CHECK_EQ(rknn_mem_sync(ctx, out, RKNN_MEMORY_SYNC_FROM_DEVICE), RKNN_SUCC);
  CHECK(memcmp(out->virt_addr, general, sizeof general) == 0);
  CHECK_EQ(rknn_mem_sync(ctx, out, (rknn_mem_sync_mode)9), RKNN_ERR_PARAM_INVALID);
  rknn_destroy_mem(ctx, in);
  rknn_destroy_mem(ctx, out);
  rknn_destroy(ctx);
}

/* ---- concurrency: contexts on different cores overlap, one core serializes */

struct RunArgs {
  rknn_context ctx;
  int runs;
};

static void* run_thread(void* p) {
  struct RunArgs* a = (struct RunArgs*)p;
  for (int i = 0; i < a->runs; ++i)
    if (rknn_run(a->ctx, NULL) != RKNN_SUCC) ++g_failures;
  return NULL;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs 3 contexts at once; returns the wall time in ms. */
static double run_three(const char* model, const int masks[3]) {
  rknn_context ctx[3];
  struct RunArgs args[3];
  pthread_t th[3];
  uint8_t img[H * W * C];
  fill_packed_u8(img);
  for (int i = 0; i < 3; ++i) {
    ctx[i] = init_path(model, 0);
    if (masks[i] >= 0) CHECK_EQ(rknn_set_core_mask(ctx[i], (rknn_core_mask)masks[i]), RKNN_SUCC);
    rknn_input in;
    memset(&in, 0, sizeof in);
    in.buf = img;
    in.size = sizeof img;
    in.type = RKNN_TENSOR_UINT8;
    in.fmt = RKNN_TENSOR_NHWC;
    CHECK_EQ(rknn_inputs_set(ctx[i], 1, &in), RKNN_SUCC);
    args[i].ctx = ctx[i];
    args[i].runs = 2;
  }
  const double t0 = now_ms();
  for (int i = 0; i < 3; ++i) pthread_create(&th[i], NULL, run_thread, &args[i]);
  for (int i = 0; i < 3; ++i) pthread_join(th[i], NULL);
  const double ms = now_ms() - t0;
  for (int i = 0; i < 3; ++i) rknn_destroy(ctx[i]);
  return ms;
}

static void test_cores_and_timing(void) {
  g_test = "cores_and_timing";
  /* Emulated latency 120 ms per run, 2 runs per context, 3 contexts. Sleeps
   * give hard lower bounds; the upper bounds leave wide margins. */
  setenv("RKNN_EMU_TIMING", "1", 1);
  setenv("RKNN_EMU_LATENCY_MS", "120", 1);
  const int own_core[3] = {RKNN_NPU_CORE_0, RKNN_NPU_CORE_1, RKNN_NPU_CORE_2};
  const int same_core[3] = {RKNN_NPU_CORE_1, RKNN_NPU_CORE_1, RKNN_NPU_CORE_1};
  const int autos[3] = {RKNN_NPU_CORE_AUTO, RKNN_NPU_CORE_AUTO, RKNN_NPU_CORE_AUTO};
  const int single[3] = {-1, -1, -1};
  const double parallel = run_three(g_m3588, own_core);
  const double serial = run_three(g_m3588, same_core);
  const double picked = run_three(g_m3588, autos);
  const double one_core_chip = run_three(g_m3566, single);
  fprintf(stderr,
          "  3 contexts x 2 runs of 120 ms: own cores %.0f ms, same core %.0f ms, AUTO %.0f ms, RK3566 %.0f ms\n",
          parallel, serial, picked, one_core_chip);
  CHECK(parallel >= 239 && parallel < 600); /* 2 x 120 in parallel, not 6 x 120 */
  CHECK(serial >= 719);                     /* 6 x 120 one after another */
  CHECK(picked >= 239 && picked < 600);     /* AUTO spreads over idle cores */
  CHECK(one_core_chip >= 719);              /* one core: everything queues */
  /* PERF_RUN reports the emulated latency; replay skips the graph. */
  rknn_context ctx = init_path(g_m3588, 0);
  int8_t q[H * W * C];
  run_general(ctx, q);
  rknn_perf_run perf;
  CHECK_EQ(rknn_query(ctx, RKNN_QUERY_PERF_RUN, &perf, sizeof perf), RKNN_SUCC);
  CHECK(perf.run_duration >= 120000 && perf.run_duration < 1000000);
  setenv("RKNN_EMU_LATENCY_MS", "1", 1);
  setenv("RKNN_EMU_REPLAY", "1", 1);
  uint8_t black[H * W * C];
  memset(black, 0, sizeof black);
  rknn_input in;
  memset(&in, 0, sizeof in);
  in.buf = black;
  in.size = sizeof black;
  in.type = RKNN_TENSOR_UINT8;
  in.fmt = RKNN_TENSOR_NHWC;
  CHECK_EQ(rknn_inputs_set(ctx, 1, &in), RKNN_SUCC);
  CHECK_EQ(rknn_run(ctx, NULL), RKNN_SUCC);
  rknn_output o;
  memset(&o, 0, sizeof o);
  CHECK_EQ(rknn_outputs_get(ctx, 1, &o, NULL), RKNN_SUCC);
  CHECK(memcmp(o.buf, q, sizeof q) == 0); /* the last computed outputs, replayed */
  rknn_outputs_release(ctx, 1, &o);
  rknn_destroy(ctx);
  unsetenv("RKNN_EMU_REPLAY");
  unsetenv("RKNN_EMU_TIMING");
  unsetenv("RKNN_EMU_LATENCY_MS");
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s MODEL_RK3588 MODEL_RK3566 MODEL_RV1106 MODEL_OLD_TOOLKIT\n", argv[0]);
    return 2;
  }
  g_m3588 = argv[1];
  g_m3566 = argv[2];
  g_m1106 = argv[3];
  g_old_toolkit = argv[4];
  test_versions_and_counts();
  test_attributes_per_target();
  test_general_api();
  test_zero_copy();
  test_native_outputs();
  test_misuse();
  test_core_masks();
  test_rejected_models();
  test_faults();
  test_dup_context();
  test_manual_cache_sync();
  test_cores_and_timing();
  if (g_failures == 0)
    printf("rknn conformance: all checks passed\n");
  else
    printf("rknn conformance: %d checks failed\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
