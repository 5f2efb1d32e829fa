// rknn-emu: the emulator's own definitions of the RKNN runtime ABI, written
// separately from rkyolo's client header (src/backends/rknn/rknn_api.h) so a
// mismatch between the two shows up in the conformance tests, like a
// mismatch between Rockchip's header and runtime would.
#pragma once

#include <cstddef>
#include <cstdint>

namespace emu {

using Context = std::uint64_t;

enum Code : int {
  kSucc = 0,
  kErrFail = -1,
  kErrTimeout = -2,
  kErrDeviceUnavailable = -3,
  kErrMallocFail = -4,
  kErrParamInvalid = -5,
  kErrModelInvalid = -6,
  kErrCtxInvalid = -7,
  kErrInputInvalid = -8,
  kErrOutputInvalid = -9,
  kErrDeviceUnmatch = -10,
  kErrTargetPlatformUnmatch = -13,
};

enum Query : int {
  kQueryInOutNum = 0,
  kQueryInputAttr = 1,
  kQueryOutputAttr = 2,
  kQueryPerfDetail = 3,
  kQueryPerfRun = 4,
  kQuerySdkVersion = 5,
  kQueryMemSize = 6,
  kQueryCustomString = 7,
  kQueryNativeInputAttr = 8,
  kQueryNativeOutputAttr = 9,
  kQueryNativeNhwcInputAttr = 10,
  kQueryNativeNhwcOutputAttr = 11,
};

enum Type : int { kFloat32 = 0, kFloat16 = 1, kInt8 = 2, kUint8 = 3, kInt16 = 4 };
enum QntType : int { kQntNone = 0, kQntDfp = 1, kQntAffine = 2 };
enum Format : int { kNCHW = 0, kNHWC = 1, kNC1HWC2 = 2, kUndefined = 3 };
enum CoreMask : int { kCoreAuto = 0, kCore0 = 1, kCore1 = 2, kCore2 = 4, kCoreAll = 0xffff };
enum MemSync : int { kSyncToDevice = 1, kSyncFromDevice = 2 };
enum InitFlag : std::uint32_t {
  kFlagDisableFlushInput = 0x4000,
  kFlagDisableFlushOutput = 0x8000,
};
enum MemFlag : std::uint32_t { kMemAllocInside = 1 };

constexpr int kMaxDims = 16;
constexpr int kMaxName = 256;

struct InOutNum {
  std::uint32_t n_input;
  std::uint32_t n_output;
};

struct TensorAttr {
  std::uint32_t index;
  std::uint32_t n_dims;
  std::uint32_t dims[kMaxDims];
  char name[kMaxName];
  std::uint32_t n_elems;
  std::uint32_t size;
  std::int32_t fmt;
  std::int32_t type;
  std::int32_t qnt_type;
  std::int8_t fl;
  std::int32_t zp;
  float scale;
  std::uint32_t w_stride;
  std::uint32_t size_with_stride;
  std::uint8_t pass_through;
  std::uint32_t h_stride;
};

struct Input {
  std::uint32_t index;
  void* buf;
  std::uint32_t size;
  std::uint8_t pass_through;
  std::int32_t type;
  std::int32_t fmt;
};

struct Output {
  std::uint8_t want_float;
  std::uint8_t is_prealloc;
  std::uint32_t index;
  void* buf;
  std::uint32_t size;
};

struct TensorMem {
  void* virt_addr;
  std::uint64_t phys_addr;
  std::int32_t fd;
  std::int32_t offset;
  std::uint32_t size;
  std::uint32_t flags;
  void* priv_data;
};

struct SdkVersion {
  char api_version[256];
  char drv_version[256];
};

struct PerfRun {
  std::int64_t run_duration;
};

struct CustomString {
  char string[1024];
};

struct InitExtend {
  Context ctx;
  std::int32_t real_model_offset;
  std::uint32_t real_model_size;
  std::int32_t model_buffer_fd;
  std::uint32_t model_buffer_flags;
  std::uint8_t reserved[112];
};

struct RunExtend {
  std::uint64_t frame_id;
  std::int32_t non_block;
  std::int32_t timeout_ms;
  std::int32_t fence_fd;
};

struct OutputExtend {
  std::uint64_t frame_id;
};

// The layouts the vendor header has on LP64 (docs/rknn-api.md).
static_assert(sizeof(InOutNum) == 8);
static_assert(sizeof(TensorAttr) == 376 && offsetof(TensorAttr, name) == 72 && offsetof(TensorAttr, n_elems) == 328 &&
              offsetof(TensorAttr, fmt) == 336 && offsetof(TensorAttr, fl) == 348 && offsetof(TensorAttr, zp) == 352 &&
              offsetof(TensorAttr, scale) == 356 && offsetof(TensorAttr, w_stride) == 360 &&
              offsetof(TensorAttr, size_with_stride) == 364 && offsetof(TensorAttr, pass_through) == 368 &&
              offsetof(TensorAttr, h_stride) == 372);
static_assert(sizeof(Input) == 32 && offsetof(Input, buf) == 8 && offsetof(Input, size) == 16 &&
              offsetof(Input, pass_through) == 20 && offsetof(Input, type) == 24 && offsetof(Input, fmt) == 28);
static_assert(sizeof(Output) == 24 && offsetof(Output, is_prealloc) == 1 && offsetof(Output, index) == 4 &&
              offsetof(Output, buf) == 8 && offsetof(Output, size) == 16);
static_assert(sizeof(TensorMem) == 40 && offsetof(TensorMem, fd) == 16 && offsetof(TensorMem, size) == 24 &&
              offsetof(TensorMem, priv_data) == 32);
static_assert(sizeof(SdkVersion) == 512 && sizeof(PerfRun) == 8);
static_assert(sizeof(InitExtend) == 136 && offsetof(InitExtend, reserved) == 24);
static_assert(sizeof(RunExtend) == 24 && offsetof(RunExtend, fence_fd) == 16);
static_assert(sizeof(OutputExtend) == 8);

}  // namespace emu
