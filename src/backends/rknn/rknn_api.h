/*
 * rkyolo's own declarations of Rockchip's NPU runtime C API (librknnrt.so),
 * written from the facts in docs/rknn-api.md (RKNPU2 SDK 2.3.2 layouts) and
 * checked member by member with static assertions below. Names follow
 * Rockchip's header so code written against it reads the same.
 *
 * C and C++. The rkyolo backend uses only the types and constants (it loads
 * the functions with dlsym); the emulator's C conformance test includes this
 * header and links librknnrt.so directly, like any Rockchip program.
 */
#ifndef RKYOLO_RKNN_API_H_
#define RKYOLO_RKNN_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__arm__) && !defined(__aarch64__)
typedef uint32_t rknn_context;
#else
typedef uint64_t rknn_context;
#endif

#define RKNN_MAX_DIMS 16
#define RKNN_MAX_NUM_CHANNEL 15
#define RKNN_MAX_NAME_LEN 256

/* Return codes. */
#define RKNN_SUCC 0
#define RKNN_ERR_FAIL -1
#define RKNN_ERR_TIMEOUT -2
#define RKNN_ERR_DEVICE_UNAVAILABLE -3
#define RKNN_ERR_MALLOC_FAIL -4
#define RKNN_ERR_PARAM_INVALID -5
#define RKNN_ERR_MODEL_INVALID -6
#define RKNN_ERR_CTX_INVALID -7
#define RKNN_ERR_INPUT_INVALID -8
#define RKNN_ERR_OUTPUT_INVALID -9
#define RKNN_ERR_DEVICE_UNMATCH -10
#define RKNN_ERR_INCOMPATILE_PRE_COMPILE_MODEL -11
#define RKNN_ERR_INCOMPATILE_OPTIMIZATION_LEVEL_VERSION -12
#define RKNN_ERR_TARGET_PLATFORM_UNMATCH -13

/* rknn_init flags. */
#define RKNN_FLAG_PRIOR_HIGH 0x00000000
#define RKNN_FLAG_PRIOR_MEDIUM 0x00000001
#define RKNN_FLAG_PRIOR_LOW 0x00000002
#define RKNN_FLAG_ASYNC_MASK 0x00000004
#define RKNN_FLAG_COLLECT_PERF_MASK 0x00000008
#define RKNN_FLAG_MEM_ALLOC_OUTSIDE 0x00000010
#define RKNN_FLAG_SHARE_WEIGHT_MEM 0x00000020
#define RKNN_FLAG_FENCE_IN_OUTSIDE 0x00000040
#define RKNN_FLAG_FENCE_OUT_OUTSIDE 0x00000080
#define RKNN_FLAG_COLLECT_MODEL_INFO_ONLY 0x00000100
#define RKNN_FLAG_INTERNAL_ALLOC_OUTSIDE 0x00000200
#define RKNN_FLAG_EXECUTE_FALLBACK_PRIOR_DEVICE_GPU 0x00000400
#define RKNN_FLAG_ENABLE_SRAM 0x00000800
#define RKNN_FLAG_SHARE_SRAM 0x00001000
#define RKNN_FLAG_DISABLE_PROC_HIGH_PRIORITY 0x00002000
#define RKNN_FLAG_DISABLE_FLUSH_INPUT_MEM_CACHE 0x00004000
#define RKNN_FLAG_DISABLE_FLUSH_OUTPUT_MEM_CACHE 0x00008000
#define RKNN_FLAG_MODEL_BUFFER_ZERO_COPY 0x00010000
#define RKNN_MEM_FLAG_ALLOC_NO_CONTEXT 0x00020000

typedef enum _rknn_query_cmd {
  RKNN_QUERY_IN_OUT_NUM = 0,
  RKNN_QUERY_INPUT_ATTR = 1,
  RKNN_QUERY_OUTPUT_ATTR = 2,
  RKNN_QUERY_PERF_DETAIL = 3,
  RKNN_QUERY_PERF_RUN = 4,
  RKNN_QUERY_SDK_VERSION = 5,
  RKNN_QUERY_MEM_SIZE = 6,
  RKNN_QUERY_CUSTOM_STRING = 7,
  RKNN_QUERY_NATIVE_INPUT_ATTR = 8,
  RKNN_QUERY_NATIVE_OUTPUT_ATTR = 9,
  RKNN_QUERY_NATIVE_NC1HWC2_INPUT_ATTR = 8,
  RKNN_QUERY_NATIVE_NC1HWC2_OUTPUT_ATTR = 9,
  RKNN_QUERY_NATIVE_NHWC_INPUT_ATTR = 10,
  RKNN_QUERY_NATIVE_NHWC_OUTPUT_ATTR = 11,
  RKNN_QUERY_DEVICE_MEM_INFO = 12,
  RKNN_QUERY_INPUT_DYNAMIC_RANGE = 13,
  RKNN_QUERY_CURRENT_INPUT_ATTR = 14,
  RKNN_QUERY_CURRENT_OUTPUT_ATTR = 15,
  RKNN_QUERY_CURRENT_NATIVE_INPUT_ATTR = 16,
  RKNN_QUERY_CURRENT_NATIVE_OUTPUT_ATTR = 17,
  RKNN_QUERY_CMD_MAX
} rknn_query_cmd;

typedef enum _rknn_tensor_type {
  RKNN_TENSOR_FLOAT32 = 0,
  RKNN_TENSOR_FLOAT16,
  RKNN_TENSOR_INT8,
  RKNN_TENSOR_UINT8,
  RKNN_TENSOR_INT16,
  RKNN_TENSOR_UINT16,
  RKNN_TENSOR_INT32,
  RKNN_TENSOR_UINT32,
  RKNN_TENSOR_INT64,
  RKNN_TENSOR_BOOL,
  RKNN_TENSOR_INT4,
  RKNN_TENSOR_BFLOAT16,
  RKNN_TENSOR_TYPE_MAX
} rknn_tensor_type;

typedef enum _rknn_tensor_qnt_type {
  RKNN_TENSOR_QNT_NONE = 0,
  RKNN_TENSOR_QNT_DFP,
  RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC,
  RKNN_TENSOR_QNT_MAX
} rknn_tensor_qnt_type;

typedef enum _rknn_tensor_format {
  RKNN_TENSOR_NCHW = 0,
  RKNN_TENSOR_NHWC,
  RKNN_TENSOR_NC1HWC2,
  RKNN_TENSOR_UNDEFINED,
  RKNN_TENSOR_FORMAT_MAX
} rknn_tensor_format;

typedef enum _rknn_core_mask {
  RKNN_NPU_CORE_AUTO = 0,
  RKNN_NPU_CORE_0 = 1,
  RKNN_NPU_CORE_1 = 2,
  RKNN_NPU_CORE_2 = 4,
  RKNN_NPU_CORE_0_1 = 3,
  RKNN_NPU_CORE_0_1_2 = 7,
  RKNN_NPU_CORE_ALL = 0xffff,
  RKNN_NPU_CORE_UNDEFINED
} rknn_core_mask;

typedef enum _rknn_tensor_mem_flags {
  RKNN_TENSOR_MEMORY_FLAGS_ALLOC_INSIDE = 1,
  RKNN_TENSOR_MEMORY_FLAGS_FROM_FD = 2,
  RKNN_TENSOR_MEMORY_FLAGS_FROM_PHYS = 3,
  RKNN_TENSOR_MEMORY_FLAGS_UNKNOWN
} rknn_tensor_mem_flags;

typedef enum _rknn_mem_alloc_flags {
  RKNN_FLAG_MEMORY_FLAGS_DEFAULT = 0,
  RKNN_FLAG_MEMORY_CACHEABLE = 1,
  RKNN_FLAG_MEMORY_NON_CACHEABLE = 2,
  RKNN_FLAG_MEMORY_TRY_ALLOC_SRAM = 4
} rknn_mem_alloc_flags;

typedef enum _rknn_mem_sync_mode {
  RKNN_MEMORY_SYNC_TO_DEVICE = 0x1,
  RKNN_MEMORY_SYNC_FROM_DEVICE = 0x2,
  RKNN_MEMORY_SYNC_BIDIRECTIONAL = RKNN_MEMORY_SYNC_TO_DEVICE | RKNN_MEMORY_SYNC_FROM_DEVICE
} rknn_mem_sync_mode;

typedef struct _rknn_input_output_num {
  uint32_t n_input;
  uint32_t n_output;
} rknn_input_output_num;

typedef struct _rknn_tensor_attr {
  uint32_t index;
  uint32_t n_dims;
  uint32_t dims[RKNN_MAX_DIMS];
  char name[RKNN_MAX_NAME_LEN];
  uint32_t n_elems;
  uint32_t size;
  rknn_tensor_format fmt;
  rknn_tensor_type type;
  rknn_tensor_qnt_type qnt_type;
  int8_t fl;
  int32_t zp;
  float scale;
  uint32_t w_stride;
  uint32_t size_with_stride;
  uint8_t pass_through;
  uint32_t h_stride;
} rknn_tensor_attr;

typedef struct _rknn_perf_run {
  int64_t run_duration; /* microseconds, rknn_run only */
} rknn_perf_run;

typedef struct _rknn_sdk_version {
  char api_version[256];
  char drv_version[256];
} rknn_sdk_version;

typedef struct _rknn_custom_string {
  char string[1024];
} rknn_custom_string;

typedef struct _rknn_tensor_memory {
  void* virt_addr;
  uint64_t phys_addr;
  int32_t fd;
  int32_t offset;
  uint32_t size;
  uint32_t flags;
  void* priv_data;
} rknn_tensor_mem;

typedef struct _rknn_input {
  uint32_t index;
  void* buf;
  uint32_t size;
  uint8_t pass_through;
  rknn_tensor_type type;
  rknn_tensor_format fmt;
} rknn_input;

typedef struct _rknn_output {
  uint8_t want_float;
  uint8_t is_prealloc;
  uint32_t index;
  void* buf;
  uint32_t size;
} rknn_output;

typedef struct _rknn_init_extend {
  rknn_context ctx;
  int32_t real_model_offset;
  uint32_t real_model_size;
  int32_t model_buffer_fd;
  uint32_t model_buffer_flags;
  uint8_t reserved[112];
} rknn_init_extend;

typedef struct _rknn_run_extend {
  uint64_t frame_id;
  int32_t non_block;
  int32_t timeout_ms;
  int32_t fence_fd;
} rknn_run_extend;

typedef struct _rknn_output_extend {
  uint64_t frame_id;
} rknn_output_extend;

/* Functions (the rkyolo backend resolves these with dlsym instead). */
#ifndef RKYOLO_RKNN_NO_PROTOTYPES
int rknn_init(rknn_context* context, void* model, uint32_t size, uint32_t flag, rknn_init_extend* extend);
int rknn_dup_context(rknn_context* context_in, rknn_context* context_out);
int rknn_destroy(rknn_context context);
int rknn_query(rknn_context context, rknn_query_cmd cmd, void* info, uint32_t size);
int rknn_inputs_set(rknn_context context, uint32_t n_inputs, rknn_input inputs[]);
int rknn_set_batch_core_num(rknn_context context, int core_num);
int rknn_set_core_mask(rknn_context context, rknn_core_mask core_mask);
int rknn_run(rknn_context context, rknn_run_extend* extend);
int rknn_wait(rknn_context context, rknn_run_extend* extend);
int rknn_outputs_get(rknn_context context, uint32_t n_outputs, rknn_output outputs[], rknn_output_extend* extend);
int rknn_outputs_release(rknn_context context, uint32_t n_ouputs, rknn_output outputs[]);
rknn_tensor_mem* rknn_create_mem(rknn_context ctx, uint32_t size);
rknn_tensor_mem* rknn_create_mem2(rknn_context ctx, uint64_t size, uint64_t alloc_flags);
int rknn_destroy_mem(rknn_context ctx, rknn_tensor_mem* mem);
int rknn_set_io_mem(rknn_context ctx, rknn_tensor_mem* mem, rknn_tensor_attr* attr);
int rknn_mem_sync(rknn_context context, rknn_tensor_mem* mem, rknn_mem_sync_mode mode);
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

/* ABI checks: every size and offset from docs/rknn-api.md (LP64 and aarch64). */
#if defined(__LP64__) || defined(__aarch64__)
#ifdef __cplusplus
#define RKYOLO_RKNN_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define RKYOLO_RKNN_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_context) == 8, "rknn_context is uint64_t on 64-bit");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_tensor_format) == 4 && sizeof(rknn_tensor_type) == 4, "enums are 4 bytes");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_input_output_num) == 8, "rknn_input_output_num");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_input_output_num, n_output) == 4, "n_output");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_tensor_attr) == 376, "rknn_tensor_attr size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, index) == 0, "attr.index");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, n_dims) == 4, "attr.n_dims");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, dims) == 8, "attr.dims");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, name) == 72, "attr.name");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, n_elems) == 328, "attr.n_elems");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, size) == 332, "attr.size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, fmt) == 336, "attr.fmt");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, type) == 340, "attr.type");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, qnt_type) == 344, "attr.qnt_type");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, fl) == 348, "attr.fl");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, zp) == 352, "attr.zp");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, scale) == 356, "attr.scale");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, w_stride) == 360, "attr.w_stride");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, size_with_stride) == 364, "attr.size_with_stride");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, pass_through) == 368, "attr.pass_through");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_attr, h_stride) == 372, "attr.h_stride");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_input) == 32, "rknn_input size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_input, buf) == 8, "input.buf");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_input, size) == 16, "input.size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_input, pass_through) == 20, "input.pass_through");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_input, type) == 24, "input.type");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_input, fmt) == 28, "input.fmt");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_output) == 24, "rknn_output size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_output, is_prealloc) == 1, "output.is_prealloc");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_output, index) == 4, "output.index");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_output, buf) == 8, "output.buf");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_output, size) == 16, "output.size");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_tensor_mem) == 40, "rknn_tensor_mem size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_mem, phys_addr) == 8, "mem.phys_addr");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_mem, fd) == 16, "mem.fd");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_mem, offset) == 20, "mem.offset");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_mem, size) == 24, "mem.size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_mem, flags) == 28, "mem.flags");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_tensor_mem, priv_data) == 32, "mem.priv_data");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_sdk_version) == 512, "rknn_sdk_version");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_sdk_version, drv_version) == 256, "sdk.drv_version");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_perf_run) == 8, "rknn_perf_run");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_init_extend) == 136, "rknn_init_extend size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_init_extend, real_model_offset) == 8, "init_extend.real_model_offset");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_init_extend, real_model_size) == 12, "init_extend.real_model_size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_init_extend, model_buffer_fd) == 16, "init_extend.model_buffer_fd");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_init_extend, model_buffer_flags) == 20, "init_extend.model_buffer_flags");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_init_extend, reserved) == 24, "init_extend.reserved");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_run_extend) == 24, "rknn_run_extend size");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_run_extend, non_block) == 8, "run_extend.non_block");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_run_extend, timeout_ms) == 12, "run_extend.timeout_ms");
RKYOLO_RKNN_STATIC_ASSERT(offsetof(rknn_run_extend, fence_fd) == 16, "run_extend.fence_fd");
RKYOLO_RKNN_STATIC_ASSERT(sizeof(rknn_output_extend) == 8, "rknn_output_extend");
#undef RKYOLO_RKNN_STATIC_ASSERT
#endif

#endif /* RKYOLO_RKNN_API_H_ */
