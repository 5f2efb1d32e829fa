// rkyolo RKNN backend: what the runtime's tensor attributes mean (names of
// types, formats and quantizations, rkyolo's TensorInfo of a stored tensor,
// whether a native output can be decoded in place).
#pragma once

#include <string>

#include "backends/rknn/rknn_runtime.h"
#include "rkyolo/message.h"
#include "rkyolo/tensor.h"

namespace rkyolo::rknn {

const char* type_name(int type);
const char* fmt_name(int fmt);
const char* qnt_name(int qnt_type);
std::string dims_string(const rknn_tensor_attr& a);
// One line: name, dims, format, type, quantization, strides and sizes.
std::string attr_string(const rknn_tensor_attr& a);
// rkyolo's description of `logical` as stored in `stored` (its native form,
// or the logical one itself): logical dims (N, C, H, W), storage layout.
TensorInfo tensor_info(const rknn_tensor_attr& logical, const rknn_tensor_attr& stored);
// Whether a native output can be decoded in place: its storage must agree
// with the logical shape (else the padded data would be read as data).
bool native_output_ok(const rknn_tensor_attr& logical, const rknn_tensor_attr& native, Message* why);

}  // namespace rkyolo::rknn
