#include "core/onnx_graph.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_set>

#include "core/protobuf_wire.h"
#include "rkyolo/tensor.h"

namespace rkyolo::core {

using pb::as_string;
using pb::Field;
using pb::for_each_field;
using pb::kFixed32;
using pb::kLengthDelimited;
using pb::kVarint;

int onnx_type_size(int data_type) {
  switch (data_type) {
    case kOnnxFloat:
    case kOnnxInt32: return 4;
    case kOnnxUint8:
    case kOnnxInt8:
    case kOnnxBool: return 1;
    case kOnnxInt16:
    case kOnnxFloat16:
    case 4:             // uint16
    case 16: return 2;  // bfloat16
    case kOnnxInt64:
    case kOnnxDouble:
    case 13: return 8;  // uint64
    case 12: return 4;  // uint32
    default: return 0;
  }
}

std::int64_t OnnxTensor::element_count() const {
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d < 0) return -1;
    if (d != 0 && n > kMaxTensorElements * 4 / d) return -1;
    n *= d;
  }
  return n;
}

bool OnnxTensor::to_int64(std::vector<std::int64_t>* out) const {
  out->clear();
  const int size = onnx_type_size(data_type);
  if (size == 0 || data.size() % static_cast<std::size_t>(size) != 0) return false;
  const std::size_t n = data.size() / static_cast<std::size_t>(size);
  out->reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint8_t* p = data.data() + k * static_cast<std::size_t>(size);
    if (data_type == kOnnxInt64) {
      std::int64_t v;
      std::memcpy(&v, p, 8);
      out->push_back(v);
    } else if (data_type == kOnnxInt32) {
      std::int32_t v;
      std::memcpy(&v, p, 4);
      out->push_back(v);
    } else if (data_type == kOnnxFloat) {
      float v;
      std::memcpy(&v, p, 4);
      if (!(v > -9.2e18f && v < 9.2e18f)) return false;
      out->push_back(static_cast<std::int64_t>(v));
    } else {
      return false;
    }
  }
  return true;
}

bool OnnxTensor::to_float(std::vector<float>* out) const {
  out->clear();
  if (data_type == kOnnxFloat) {
    out->resize(data.size() / 4);
    if (!out->empty()) std::memcpy(out->data(), data.data(), out->size() * 4);
    return data.size() % 4 == 0;
  }
  std::vector<std::int64_t> v;
  if (!to_int64(&v)) return false;
  for (auto x : v) out->push_back(static_cast<float>(x));
  return true;
}

OnnxTensor OnnxTensor::from_int64(const std::string& name, const std::vector<std::int64_t>& values,
                                  std::vector<std::int64_t> dims) {
  OnnxTensor t;
  t.name = name;
  t.data_type = kOnnxInt64;
  t.dims = std::move(dims);
  t.data.resize(values.size() * 8);
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

OnnxTensor OnnxTensor::from_float(const std::string& name, const std::vector<float>& values,
                                  std::vector<std::int64_t> dims) {
  OnnxTensor t;
  t.name = name;
  t.data_type = kOnnxFloat;
  t.dims = std::move(dims);
  t.data.resize(values.size() * 4);
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

const OnnxAttribute* OnnxNode::attribute(const std::string& attr_name) const {
  for (const auto& a : attributes)
    if (a.name == attr_name) return &a;
  return nullptr;
}

std::int64_t OnnxNode::int_attribute(const std::string& attr_name, std::int64_t fallback) const {
  const OnnxAttribute* a = attribute(attr_name);
  return a != nullptr && a->type == kAttrInt ? a->i : fallback;
}

std::vector<std::int64_t> OnnxNode::ints_attribute(const std::string& attr_name) const {
  const OnnxAttribute* a = attribute(attr_name);
  return a != nullptr && a->type == kAttrInts ? a->ints : std::vector<std::int64_t>{};
}

void OnnxNode::set_attribute(OnnxAttribute a) {
  for (auto& old : attributes)
    if (old.name == a.name) {
      old = std::move(a);
      return;
    }
  attributes.push_back(std::move(a));
}

std::int64_t OnnxModel::opset() const {
  for (const auto& [d, v] : opsets)
    if (d.empty() || d == "ai.onnx") return v;
  return 0;
}

void OnnxModel::set_opset(std::int64_t version) {
  for (auto& [d, v] : opsets)
    if (d.empty() || d == "ai.onnx") {
      v = version;
      return;
    }
  opsets.emplace_back("", version);
}

const std::string* OnnxModel::metadata_value(const std::string& key) const {
  for (const auto& [k, v] : metadata)
    if (k == key) return &v;
  return nullptr;
}

void OnnxModel::set_metadata(const std::string& key, const std::string& value) {
  for (auto& [k, v] : metadata)
    if (k == key) {
      v = value;
      return;
    }
  metadata.emplace_back(key, value);
}

// ------------------------------------------------------------- reading ----

namespace {

// Tensors and values with more dimensions are refused while reading.
constexpr std::size_t kMaxParsedRank = 64;

// Reads repeated numeric fields given packed (length-delimited) or one per field.
template <typename T, typename Decode>
bool read_repeated(const Field& f, int scalar_wire, std::vector<T>* out, Message* error, Decode&& decode) {
  if (f.wire == scalar_wire) {
    out->push_back(decode(f));
    return true;
  }
  if (f.wire != kLengthDelimited) return true;
  if (scalar_wire == kFixed32) {
    if (f.size % 4 != 0) {
      *error = MessageId::kWirePackedFloats;
      return false;
    }
    for (std::size_t k = 0; k < f.size; k += 4) {
      Field e;
      e.wire = kFixed32;
      std::memcpy(&e.fixed32, f.bytes + k, 4);
      out->push_back(decode(e));
    }
    return true;
  }
  pb::Reader r(f.bytes, f.size);
  while (!r.done()) {
    Field e;
    e.wire = kVarint;
    if (!r.varint(&e.varint)) {
      *error = pb::truncated(MessageId::kWireTruncatedPackedVarints);
      return false;
    }
    out->push_back(decode(e));
  }
  return true;
}

float as_float(const Field& f) {
  float v;
  std::memcpy(&v, &f.fixed32, 4);
  return v;
}

bool parse_tensor(const std::uint8_t* p, std::size_t n, OnnxTensor* t, Message* error) {
  std::vector<float> floats;
  std::vector<std::int64_t> ints;  // int32_data / int64_data
  std::vector<double> doubles;
  bool have_raw = false, have_ints = false;
  const bool ok = for_each_field(p, n, error, [&](const Field& f) {
    switch (f.number) {
      case 1:
        if (t->dims.size() >= kMaxParsedRank) {
          *error = Message(MessageId::kOnnxTensorTooManyDims, {{"max", kMaxParsedRank}});
          return false;
        }
        return read_repeated(f, kVarint, &t->dims, error,
                             [](const Field& e) { return static_cast<std::int64_t>(e.varint); });
      case 2:
        if (f.wire == kVarint) t->data_type = static_cast<int>(f.varint);
        return true;
      case 4: return read_repeated(f, kFixed32, &floats, error, as_float);
      case 5:
      case 7:
      case 11:
        have_ints = true;
        return read_repeated(f, kVarint, &ints, error,
                             [](const Field& e) { return static_cast<std::int64_t>(e.varint); });
      case 8:
        if (f.wire == kLengthDelimited) t->name = as_string(f);
        return true;
      case 9:
        if (f.wire == kLengthDelimited) {
          t->data.assign(f.bytes, f.bytes + f.size);
          have_raw = true;
        }
        return true;
      case 10:
        if (f.wire == kLengthDelimited && f.size % 8 == 0)
          for (std::size_t k = 0; k < f.size; k += 8) {
            double v;
            std::memcpy(&v, f.bytes + k, 8);
            doubles.push_back(v);
          }
        return true;
      case 13: t->external = true; return true;
      case 14:
        if (f.wire == kVarint && f.varint == 1) t->external = true;
        return true;
      default: return true;
    }
  });
  if (!ok) return false;
  if (have_raw) return true;
  const int size = onnx_type_size(t->data_type);
  if (!floats.empty()) {
    t->data.resize(floats.size() * 4);
    std::memcpy(t->data.data(), floats.data(), t->data.size());
  } else if (!doubles.empty()) {
    t->data.resize(doubles.size() * 8);
    std::memcpy(t->data.data(), doubles.data(), t->data.size());
  } else if (have_ints && size > 0) {
    t->data.resize(ints.size() * static_cast<std::size_t>(size));
    for (std::size_t k = 0; k < ints.size(); ++k) {
      const std::int64_t v = ints[k];
      std::memcpy(t->data.data() + k * static_cast<std::size_t>(size), &v,
                  static_cast<std::size_t>(size));  // little-endian
    }
  }
  return true;
}

bool parse_attribute(const Field& af, OnnxAttribute* a, Message* error) {
  a->raw.clear();
  pb::Writer w;
  w.bytes(5, af.bytes, af.size);  // the whole attribute as it would be written in a NodeProto
  a->raw = w.str();
  return for_each_field(af.bytes, af.size, error, [&](const Field& f) {
    switch (f.number) {
      case 1:
        if (f.wire == kLengthDelimited) a->name = as_string(f);
        return true;
      case 20:
        if (f.wire == kVarint) a->type = static_cast<int>(f.varint);
        return true;
      case 2:
        if (f.wire == kFixed32) a->f = as_float(f);
        return true;
      case 3:
        if (f.wire == kVarint) a->i = static_cast<std::int64_t>(f.varint);
        return true;
      case 4:
        if (f.wire == kLengthDelimited) a->s = as_string(f);
        return true;
      case 5:
        if (f.wire == kLengthDelimited) return parse_tensor(f.bytes, f.size, &a->t, error);
        return true;
      case 7: return read_repeated(f, kFixed32, &a->floats, error, as_float);
      case 8:
        if (a->ints.size() > 1u << 20) {
          *error = MessageId::kOnnxAttributeTooManyInts;
          return false;
        }
        return read_repeated(f, kVarint, &a->ints, error,
                             [](const Field& e) { return static_cast<std::int64_t>(e.varint); });
      default: return true;
    }
  });
}

bool parse_node(const Field& nf, OnnxNode* node, Message* error) {
  return for_each_field(nf.bytes, nf.size, error, [&](const Field& f) {
    if (f.wire != kLengthDelimited) return true;
    switch (f.number) {
      case 1: node->inputs.push_back(as_string(f)); return true;
      case 2: node->outputs.push_back(as_string(f)); return true;
      case 3: node->name = as_string(f); return true;
      case 4: node->op_type = as_string(f); return true;
      case 7: node->domain = as_string(f); return true;
      case 5: {
        OnnxAttribute a;
        if (!parse_attribute(f, &a, error)) return false;
        node->attributes.push_back(std::move(a));
        return true;
      }
      default: return true;
    }
  });
}

bool parse_value_info(const Field& vf, OnnxValueInfo* v, Message* error) {
  return for_each_field(vf.bytes, vf.size, error, [&](const Field& f) {
    if (f.number == 1 && f.wire == kLengthDelimited) v->name = as_string(f);
    if (f.number != 2 || f.wire != kLengthDelimited) return true;
    return for_each_field(f.bytes, f.size, error, [&](const Field& tp) {
      if (tp.number != 1 || tp.wire != kLengthDelimited) return true;  // tensor_type only
      return for_each_field(tp.bytes, tp.size, error, [&](const Field& tt) {
        if (tt.number == 1 && tt.wire == kVarint) v->elem_type = static_cast<int>(tt.varint);
        if (tt.number != 2 || tt.wire != kLengthDelimited) return true;
        v->has_shape = true;
        return for_each_field(tt.bytes, tt.size, error, [&](const Field& dim) {
          if (dim.number != 1 || dim.wire != kLengthDelimited) return true;
          if (v->dims.size() >= kMaxParsedRank) {
            *error = Message(MessageId::kOnnxValueTooManyDims, {{"max", kMaxParsedRank}});
            return false;
          }
          std::int64_t value = -1;
          std::string param;
          const bool ok = for_each_field(dim.bytes, dim.size, error, [&](const Field& d) {
            if (d.number == 2 && d.wire == kLengthDelimited) param = as_string(d);
            if (d.number != 1 || d.wire != kVarint) return true;
            // Above the limit, or a varint of 2^63 and more read as negative.
            if (d.varint > static_cast<std::uint64_t>(kMaxTensorElements)) {
              *error = Message(
                  MessageId::kOnnxValueDimTooLarge,
                  {{"name", v->name}, {"dim", static_cast<std::int64_t>(d.varint)}, {"max", kMaxTensorElements}});
              return false;
            }
            value = static_cast<std::int64_t>(d.varint);
            return true;
          });
          v->dims.push_back(value);
          v->dim_params.push_back(param);
          return ok;
        });
      });
    });
  });
}

}  // namespace

Status read_onnx_model(const std::uint8_t* data, std::size_t size, const std::string& what, OnnxModel* out) {
  *out = OnnxModel{};
  auto bad = [&](Message why) {
    return invalid_model(MessageId::kOnnxNotValid, {{"path", what}, {"why", std::move(why)}});
  };
  if (size == 0) return invalid_model(MessageId::kFileEmpty, {{"path", what}});
  Message error;
  bool have_graph = false;
  const bool ok = for_each_field(data, size, &error, [&](const Field& f) {
    switch (f.number) {
      case 1:
        if (f.wire == kVarint) out->ir_version = static_cast<std::int64_t>(f.varint);
        return true;
      case 2:
        if (f.wire == kLengthDelimited) out->producer_name = as_string(f);
        return true;
      case 3:
        if (f.wire == kLengthDelimited) out->producer_version = as_string(f);
        return true;
      case 4:
        if (f.wire == kLengthDelimited) out->domain = as_string(f);
        return true;
      case 5:
        if (f.wire == kVarint) out->model_version = static_cast<std::int64_t>(f.varint);
        return true;
      case 6:
        if (f.wire == kLengthDelimited) out->doc_string = as_string(f);
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
          out->opsets.emplace_back(domain, version);
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
          out->set_metadata(key, value);
        }
        return true;
      case 7:
        if (f.wire != kLengthDelimited) return true;
        have_graph = true;
        return for_each_field(f.bytes, f.size, &error, [&](const Field& g) {
          if (g.wire != kLengthDelimited) return true;
          switch (g.number) {
            case 1: {
              if (out->nodes.size() >= kMaxOnnxNodes) {
                error = Message(MessageId::kOnnxTooManyNodes, {{"max", kMaxOnnxNodes}});
                return false;
              }
              OnnxNode n;
              if (!parse_node(g, &n, &error)) return false;
              out->nodes.push_back(std::move(n));
              return true;
            }
            case 2: out->graph_name = as_string(g); return true;
            case 5: {
              OnnxTensor t;
              if (!parse_tensor(g.bytes, g.size, &t, &error)) return false;
              out->initializers.push_back(std::move(t));
              return true;
            }
            case 11:
            case 12: {
              OnnxValueInfo v;
              if (!parse_value_info(g, &v, &error)) return false;
              (g.number == 11 ? out->inputs : out->outputs).push_back(std::move(v));
              return true;
            }
            default: return true;
          }
        });
      default: return true;
    }
  });
  if (!ok) return bad(std::move(error));
  if (!have_graph || out->ir_version <= 0) return bad(MessageId::kOnnxNoGraph);
  return Status();
}

// ------------------------------------------------------------- writing ----

namespace {

void write_tensor(pb::Writer* w, const OnnxTensor& t) {
  if (!t.dims.empty()) {
    pb::Writer packed;
    for (auto d : t.dims) packed.varint(static_cast<std::uint64_t>(d));
    w->s(1, packed.str());
  }
  w->u(2, static_cast<std::uint64_t>(t.data_type));
  if (!t.name.empty()) w->s(8, t.name);
  w->bytes(9, t.data.data(), t.data.size());
}

void write_attribute(pb::Writer* w, const OnnxAttribute& a) {
  if (!a.raw.empty()) {
    w->raw(a.raw);
    return;
  }
  pb::Writer aw;
  aw.s(1, a.name);
  aw.u(20, static_cast<std::uint64_t>(a.type));
  switch (a.type) {
    case kAttrFloat: aw.f32(2, a.f); break;
    case kAttrInt: aw.i(3, a.i); break;
    case kAttrString: aw.s(4, a.s); break;
    case kAttrTensor: {
      pb::Writer tw;
      write_tensor(&tw, a.t);
      aw.m(5, tw);
      break;
    }
    case kAttrFloats: {
      std::string packed(a.floats.size() * 4, '\0');
      if (!a.floats.empty()) std::memcpy(packed.data(), a.floats.data(), packed.size());
      aw.s(7, packed);
      break;
    }
    case kAttrInts: {
      pb::Writer packed;
      for (auto v : a.ints) packed.varint(static_cast<std::uint64_t>(v));
      aw.s(8, packed.str());
      break;
    }
    default: break;
  }
  w->m(5, aw);
}

void write_value_info(pb::Writer* w, int field, const OnnxValueInfo& v) {
  pb::Writer tt;
  tt.u(1, static_cast<std::uint64_t>(v.elem_type));
  if (v.has_shape) {
    pb::Writer shape;
    for (std::size_t k = 0; k < v.dims.size(); ++k) {
      pb::Writer dim;
      const std::string param = k < v.dim_params.size() ? v.dim_params[k] : std::string();
      if (v.dims[k] >= 0)
        dim.i(1, v.dims[k]);
      else
        dim.s(2, param.empty() ? std::string("d") + std::to_string(k) : param);
      shape.m(1, dim);
    }
    tt.m(2, shape);
  }
  pb::Writer type;
  type.m(1, tt);
  pb::Writer vi;
  vi.s(1, v.name);
  vi.m(2, type);
  w->m(field, vi);
}

}  // namespace

std::vector<std::uint8_t> write_onnx_model(const OnnxModel& m) {
  pb::Writer graph;
  for (const OnnxNode& n : m.nodes) {
    pb::Writer nw;
    for (const auto& i : n.inputs) nw.s(1, i);
    for (const auto& o : n.outputs) nw.s(2, o);
    if (!n.name.empty()) nw.s(3, n.name);
    nw.s(4, n.op_type);
    for (const auto& a : n.attributes) write_attribute(&nw, a);
    if (!n.domain.empty()) nw.s(7, n.domain);
    graph.m(1, nw);
  }
  graph.s(2, m.graph_name.empty() ? std::string("main_graph") : m.graph_name);
  for (const OnnxTensor& t : m.initializers) {
    pb::Writer tw;
    write_tensor(&tw, t);
    graph.m(5, tw);
  }
  for (const auto& v : m.inputs) write_value_info(&graph, 11, v);
  for (const auto& v : m.outputs) write_value_info(&graph, 12, v);

  pb::Writer model;
  model.i(1, m.ir_version);
  if (!m.producer_name.empty()) model.s(2, m.producer_name);
  if (!m.producer_version.empty()) model.s(3, m.producer_version);
  if (!m.domain.empty()) model.s(4, m.domain);
  if (m.model_version != 0) model.i(5, m.model_version);
  if (!m.doc_string.empty()) model.s(6, m.doc_string);
  model.m(7, graph);
  for (const auto& [domain, version] : m.opsets) {
    pb::Writer o;
    o.s(1, domain);
    o.i(2, version);
    model.m(8, o);
  }
  for (const auto& [k, v] : m.metadata) {
    pb::Writer kv;
    kv.s(1, k);
    kv.s(2, v);
    model.m(14, kv);
  }
  const std::string& s = model.str();
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

// ---------------------------------------------------------- validation ----

namespace {

std::string node_label(const OnnxNode& n, std::size_t index) {
  return "node " + (n.name.empty() ? "#" + std::to_string(index) : "'" + n.name + "'") + " (" + n.op_type + ")";
}

// Dims and byte size of a tensor holding data.
Status check_tensor(const OnnxTensor& t, const std::string& what, const std::string& role, bool allow_empty) {
  auto bad = [&](MessageId id, std::vector<MessageArg> args) {
    args.emplace_back("role", role);
    args.emplace_back("name", t.name);
    return invalid_model(MessageId::kOnnxBrokenGraph, {{"path", what}, {"why", Message(id, std::move(args))}});
  };
  if (t.external)
    return unsupported_model(MessageId::kOnnxExternalData, {{"path", what}, {"role", role}, {"name", t.name}});
  if (t.dims.size() > kMaxTensorRank)
    return bad(MessageId::kOnnxTensorRank, {{"rank", t.dims.size()}, {"max", kMaxTensorRank}});
  for (auto d : t.dims) {
    if (d == 0 && allow_empty && t.dims.size() == 1) continue;  // checked against its readers

    if (d <= 0) return bad(MessageId::kOnnxTensorDimNotPositive, {{"dim", d}, {"shape", shape_string(t.dims)}});
    if (d > kMaxOnnxDim) return bad(MessageId::kOnnxTensorDimTooLarge, {{"dim", d}, {"max", kMaxOnnxDim}});
  }
  const std::int64_t n = t.element_count();
  if (n < 0 || n > kMaxTensorElements)
    return bad(MessageId::kOnnxTensorElements, {{"shape", shape_string(t.dims)}, {"max", kMaxTensorElements}});
  const int size = onnx_type_size(t.data_type);
  if (size == 0) return bad(MessageId::kOnnxTensorDataType, {{"type", t.data_type}});
  const std::uint64_t expected = static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(size);
  if (t.data.size() != expected)
    return bad(MessageId::kOnnxTensorSize,
               {{"shape", shape_string(t.dims)}, {"expected", expected}, {"actual", t.data.size()}});
  return Status();
}

}  // namespace

Status validate_onnx_model(const OnnxModel& m, const std::string& what) {
  auto bad = [&](MessageId id, std::vector<MessageArg> args = {}) {
    return invalid_model(MessageId::kOnnxBrokenGraph, {{"path", what}, {"why", Message(id, std::move(args))}});
  };
  std::unordered_set<std::string> defined;
  std::unordered_set<std::string> empty;  // 1-D tensors of no elements
  for (const OnnxTensor& t : m.initializers) {
    if (t.name.empty()) return bad(MessageId::kOnnxInitializerNoName);
    RKYOLO_RETURN_IF_ERROR(check_tensor(t, what, "initializer", true));
    if (t.dims.size() == 1 && t.dims[0] == 0) empty.insert(t.name);
    if (!defined.insert(t.name).second) return bad(MessageId::kOnnxInitializerTwice, {{"name", t.name}});
  }
  std::size_t real_inputs = 0;
  for (const OnnxValueInfo& v : m.inputs) {
    if (v.name.empty()) return bad(MessageId::kOnnxInputNoName);
    if (defined.count(v.name)) continue;  // an initializer also listed as input
    ++real_inputs;
    if (v.dims.size() > kMaxTensorRank)
      return bad(MessageId::kOnnxInputRank, {{"name", v.name}, {"rank", v.dims.size()}});
    for (auto d : v.dims) {
      if (d == 0) return bad(MessageId::kOnnxInputZeroDim, {{"name", v.name}, {"shape", shape_string(v.dims)}});
      if (d > kMaxInputSide)
        return bad(MessageId::kOnnxInputTooLarge,
                   {{"name", v.name}, {"shape", shape_string(v.dims)}, {"max", kMaxInputSide}});
    }
    defined.insert(v.name);
  }
  if (real_inputs == 0) return bad(MessageId::kOnnxNoInputs);
  for (std::size_t k = 0; k < m.nodes.size(); ++k) {
    const OnnxNode& n = m.nodes[k];
    if (n.op_type.empty()) return bad(MessageId::kOnnxNodeNoOp, {{"node", node_label(n, k)}});
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      const std::string& in = n.inputs[i];
      if (!in.empty() && !defined.count(in))
        return bad(MessageId::kOnnxNodeUndefinedInput, {{"node", node_label(n, k)}, {"tensor", in}});
      // An empty tensor stands for "absent" only where an operator allows
      // it: Resize's roi and scales (exporters write them so).
      if (empty.count(in) && !(n.op_type == "Resize" && (i == 1 || i == 2)))
        return bad(MessageId::kOnnxNodeEmptyInput, {{"node", node_label(n, k)}, {"tensor", in}});
    }
    if (n.op_type == "Constant" && n.domain.empty()) {
      const OnnxAttribute* value = n.attribute("value");
      if (value != nullptr && value->type == kAttrTensor) {
        OnnxTensor t = value->t;
        if (t.name.empty() && !n.outputs.empty()) t.name = n.outputs[0];
        RKYOLO_RETURN_IF_ERROR(check_tensor(t, what, "constant", true));
        if (t.dims.size() == 1 && t.dims[0] == 0) empty.insert(t.name);
      }
    }
    for (const std::string& out : n.outputs) {
      if (out.empty()) continue;
      if (!defined.insert(out).second)
        return bad(MessageId::kOnnxNodeDefinesTwice, {{"node", node_label(n, k)}, {"tensor", out}});
    }
  }
  if (m.outputs.empty()) return bad(MessageId::kOnnxNoOutputs);
  for (const OnnxValueInfo& v : m.outputs)
    if (!defined.count(v.name)) return bad(MessageId::kOnnxOutputNotComputed, {{"name", v.name}});
  return Status();
}

}  // namespace rkyolo::core
