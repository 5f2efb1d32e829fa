#include "core/onnx_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sys/stat.h>

#include "core/limits.h"
#include "core/protobuf_wire.h"

namespace rkyolo::core {

namespace {

using pb::as_string;
using pb::Field;
using pb::for_each_field;
using pb::kLengthDelimited;
using pb::kVarint;

bool fail(std::string* error, const std::string& what) {
  *error = what;
  return false;
}

// Known dims of `t` multiply to at most kMaxTensorElements (no size computed
// from them can overflow).
bool check_element_count(const TensorInfo& t, std::string* error) {
  std::int64_t elements = 1;
  for (auto d : t.dims) {
    if (d <= 0) continue;  // symbolic, unknown or empty
    if (d > kMaxTensorElements / elements)
      return fail(error, "tensor '" + t.name + "' " + shape_string(t.dims) + " has more than " +
                             std::to_string(kMaxTensorElements) + " elements");
    elements *= d;
  }
  return true;
}

DType onnx_dtype(std::uint64_t t) {
  switch (t) {
    case 1: return DType::kFloat32;
    case 2: return DType::kUint8;
    case 3: return DType::kInt8;
    case 5: return DType::kInt16;
    case 6: return DType::kInt32;
    case 7: return DType::kInt64;
    case 10: return DType::kFloat16;
    default: return DType::kUnknown;
  }
}

bool parse_value_info(const Field& vi, TensorInfo* t, std::string* error) {
  return for_each_field(vi.bytes, vi.size, error, [&](const Field& f) {
    if (f.number == 1 && f.wire == kLengthDelimited) t->name = as_string(f);
    if (f.number == 2 && f.wire == kLengthDelimited) {  // TypeProto
      return for_each_field(f.bytes, f.size, error, [&](const Field& tp) {
        if (tp.number != 1 || tp.wire != kLengthDelimited) return true;  // tensor_type only
        return for_each_field(tp.bytes, tp.size, error, [&](const Field& tt) {
          if (tt.number == 1 && tt.wire == kVarint) t->dtype = onnx_dtype(tt.varint);
          if (tt.number == 2 && tt.wire == kLengthDelimited) {  // TensorShapeProto
            return for_each_field(tt.bytes, tt.size, error, [&](const Field& dim) {
              if (dim.number != 1 || dim.wire != kLengthDelimited) return true;
              if (t->dims.size() == kMaxTensorRank)
                return fail(error,
                            "tensor '" + t->name + "' has more than " + std::to_string(kMaxTensorRank) + " dimensions");
              std::int64_t value = -1;  // symbolic or unknown
              bool ok = for_each_field(dim.bytes, dim.size, error, [&](const Field& d) {
                if (d.number != 1 || d.wire != kVarint) return true;
                if (d.varint > static_cast<std::uint64_t>(kMaxTensorElements))
                  return fail(error, "tensor '" + t->name + "' has a dimension of " +
                                         std::to_string(static_cast<std::int64_t>(d.varint)) + ", more than " +
                                         std::to_string(kMaxTensorElements));
                value = static_cast<std::int64_t>(d.varint);
                return true;
              });
              t->dims.push_back(value);
              return ok;
            });
          }
          return true;
        });
      });
    }
    return true;
  });
}

}  // namespace

Status read_file_bytes(const std::string& path, std::vector<std::uint8_t>* out, std::uint64_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return not_found("'" + path + "' does not exist");
    return io_error("cannot access '" + path + "': " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return invalid_argument("'" + path + "' is a directory, not a file");
  // Opening a FIFO or device could block for ever or never end.
  if (!S_ISREG(st.st_mode)) return invalid_argument("'" + path + "' is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return invalid_argument("'" + path + "' is " + std::to_string(st.st_size) + " bytes, more than the " +
                            std::to_string(max_bytes) + " rkyolo reads");
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot open '" + path + "': " + std::strerror(errno));
  out->resize(static_cast<std::size_t>(st.st_size));
  if (!out->empty()) in.read(reinterpret_cast<char*>(out->data()), static_cast<std::streamsize>(out->size()));
  if (!in && !out->empty()) return io_error("cannot read '" + path + "'");
  if (out->empty()) return invalid_model("'" + path + "' is empty");
  return Status();
}

Status parse_onnx(const std::uint8_t* data, std::size_t size, const std::string& what, OnnxModelInfo* out) {
  *out = OnnxModelInfo{};
  auto bad = [&](const std::string& why) {
    return invalid_model("'" + what + "' is not a valid ONNX model (" + why + ")");
  };
  if (size == 0) return invalid_model("'" + what + "' is empty");
  std::string error;
  bool have_graph = false;
  std::string producer_name, producer_version;
  std::vector<TensorInfo> graph_inputs;
  std::set<std::string> initializers;
  const bool ok = for_each_field(data, size, &error, [&](const Field& f) {
    switch (f.number) {
      case 1:
        if (f.wire == kVarint) out->ir_version = static_cast<std::int64_t>(f.varint);
        return true;
      case 2:
        if (f.wire == kLengthDelimited) producer_name = as_string(f);
        return true;
      case 3:
        if (f.wire == kLengthDelimited) producer_version = as_string(f);
        return true;
      case 8:
        if (f.wire == kLengthDelimited) {
          std::string domain;
          std::int64_t version = 0;
          if (!for_each_field(f.bytes, f.size, &error, [&](const Field& o) {
                if (o.number == 1 && o.wire == kLengthDelimited) domain = as_string(o);
                if (o.number == 2 && o.wire == kVarint) version = static_cast<std::int64_t>(o.varint);
                return true;
              }))
            return false;
          out->opsets[domain] = version;
        }
        return true;
      case 14:
        if (f.wire == kLengthDelimited) {
          std::string key, value;
          if (!for_each_field(f.bytes, f.size, &error, [&](const Field& kv) {
                if (kv.number == 1 && kv.wire == kLengthDelimited) key = as_string(kv);
                if (kv.number == 2 && kv.wire == kLengthDelimited) value = as_string(kv);
                return true;
              }))
            return false;
          out->metadata[key] = value;
        }
        return true;
      case 7:
        if (f.wire != kLengthDelimited) return true;
        have_graph = true;
        return for_each_field(f.bytes, f.size, &error, [&](const Field& g) {
          if (g.wire != kLengthDelimited) return true;
          if (g.number == 1) {  // NodeProto: op_type is field 4
            ++out->node_count;
            return for_each_field(g.bytes, g.size, &error, [&](const Field& n) {
              if (n.number == 4 && n.wire == kLengthDelimited) ++out->op_counts[as_string(n)];
              return true;
            });
          }
          if (g.number == 5) {  // TensorProto initializer: name is field 8
            return for_each_field(g.bytes, g.size, &error, [&](const Field& t) {
              if (t.number == 8 && t.wire == kLengthDelimited) initializers.insert(as_string(t));
              return true;
            });
          }
          if (g.number == 11 || g.number == 12) {
            TensorInfo t;
            if (!parse_value_info(g, &t, &error) || !check_element_count(t, &error)) return false;
            t.layout = t.dims.size() == 4 ? TensorLayout::kNCHW : TensorLayout::kFlat;
            (g.number == 11 ? graph_inputs : out->outputs).push_back(std::move(t));
          }
          return true;
        });
      default: return true;
    }
  });
  if (!ok) {
    if (error.find("truncated") != std::string::npos || error.find("past the end") != std::string::npos)
      return bad("the file is truncated or damaged: " + error);
    return bad(error);
  }
  if (!have_graph || out->ir_version <= 0) return bad("no model graph found; is it an ONNX file?");
  for (auto& t : graph_inputs)
    if (!initializers.count(t.name)) out->inputs.push_back(std::move(t));
  if (out->inputs.empty()) return bad("the graph has no inputs");
  if (out->outputs.empty()) return bad("the graph has no outputs");
  out->producer = producer_name + (producer_version.empty() ? "" : " " + producer_version);
  return Status();
}

Status read_onnx_file(const std::string& path, OnnxModelInfo* out) {
  std::vector<std::uint8_t> bytes;
  RKYOLO_RETURN_IF_ERROR(read_file_bytes(path, &bytes));
  return parse_onnx(bytes.data(), bytes.size(), path, out);
}

}  // namespace rkyolo::core
