#include "core/onnx_rewrite.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "rkyolo/tensor.h"

namespace rkyolo::core {

namespace {

using Shape = std::vector<std::int64_t>;

// Small integer constants the folder tracks (shape arithmetic).
constexpr std::size_t kMaxFoldElements = 64;

struct Consts {
  std::unordered_map<std::string, const OnnxTensor*> tensors;  // initializers and Constant nodes
  void index(const OnnxModel& m) {
    tensors.clear();
    for (const auto& t : m.initializers) tensors[t.name] = &t;
    for (const auto& n : m.nodes)
      if (n.op_type == "Constant" && n.outputs.size() == 1) {
        const OnnxAttribute* v = n.attribute("value");
        if (v != nullptr && v->type == kAttrTensor) tensors[n.outputs[0]] = &v->t;
      }
  }
  const OnnxTensor* find(const std::string& name) const {
    auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : it->second;
  }
  bool ints(const std::string& name, std::vector<std::int64_t>* out) const {
    const OnnxTensor* t = find(name);
    return t != nullptr && t->to_int64(out);
  }
};

bool is_initializer(const OnnxModel& m, const std::string& name) {
  for (const auto& t : m.initializers)
    if (t.name == name) return true;
  return false;
}

// ---------------------------------------------------- shape inference ----
// Static shapes of float tensors for the ops YOLO backbones use; a tensor
// whose shape cannot be derived simply stays unknown.

std::int64_t norm_axis(std::int64_t axis, std::size_t rank) {
  return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
}

std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (std::size_t k = 0; k < out.size(); ++k) {
    const std::int64_t x = k < out.size() - a.size() ? 1 : a[k - (out.size() - a.size())];
    const std::int64_t y = k < out.size() - b.size() ? 1 : b[k - (out.size() - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[k] = x == 1 ? y : x;
  }
  return out;
}

class ShapeMap {
 public:
  void infer(const OnnxModel& m, const Consts& consts) {
    shapes_.clear();
    for (const auto& t : m.initializers) shapes_[t.name] = t.dims;
    for (const auto& v : m.inputs)
      if (v.has_shape && std::all_of(v.dims.begin(), v.dims.end(), [](std::int64_t d) { return d > 0; }))
        shapes_[v.name] = v.dims;
    for (const auto& n : m.nodes) infer_node(n, consts);
  }
  const Shape* find(const std::string& name) const {
    auto it = shapes_.find(name);
    return it == shapes_.end() ? nullptr : &it->second;
  }

 private:
  void set(const OnnxNode& n, std::size_t k, Shape s) {
    if (k < n.outputs.size()) shapes_[n.outputs[k]] = std::move(s);
  }

  void infer_node(const OnnxNode& n, const Consts& consts) {
    const std::string& op = n.op_type;
    if (op == "Constant") {
      if (const OnnxTensor* t = consts.find(n.outputs.empty() ? "" : n.outputs[0])) set(n, 0, t->dims);
      return;
    }
    std::vector<const Shape*> in;
    for (const auto& i : n.inputs) in.push_back(i.empty() ? nullptr : find(i));
    if (in.empty() || in[0] == nullptr) return;
    const Shape& x = *in[0];
    static const std::unordered_set<std::string> kUnary = {
        "Sigmoid", "Relu", "Tanh",        "Exp",       "Log",       "Softmax", "Identity", "Neg",
        "Sqrt",    "Erf",  "HardSigmoid", "HardSwish", "LeakyRelu", "Clip",    "Cast",     "Floor",
        "Ceil",    "Abs",  "Reciprocal",  "Elu",       "Mish",      "Sin",     "Cos"};
    if (kUnary.count(op)) return set(n, 0, x);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow") {
      if (in.size() == 2 && in[1] != nullptr)
        if (auto s = broadcast(x, *in[1])) set(n, 0, *s);
      return;
    }
    if (op == "Conv" && x.size() == 4 && in.size() >= 2 && in[1] != nullptr && in[1]->size() == 4) {
      const Shape& w = *in[1];
      Shape pads = n.ints_attribute("pads"), strides = n.ints_attribute("strides"), dil = n.ints_attribute("dilations");
      if (n.attribute("auto_pad") != nullptr && n.attribute("auto_pad")->s != "NOTSET") return;
      pads.resize(4, 0);
      strides.resize(2, 1);
      dil.resize(2, 1);
      Shape out = {x[0], w[0], 0, 0};
      for (int k = 0; k < 2; ++k) {
        const std::int64_t eff = (w[2 + k] - 1) * dil[k] + 1;
        if (strides[k] <= 0) return;
        out[2 + k] = (x[2 + k] + pads[k] + pads[k + 2] - eff) / strides[k] + 1;
        if (out[2 + k] <= 0) return;
      }
      return set(n, 0, out);
    }
    if ((op == "MaxPool" || op == "AveragePool") && x.size() == 4) {
      Shape k = n.ints_attribute("kernel_shape"), pads = n.ints_attribute("pads"),
            strides = n.ints_attribute("strides");
      if (k.size() != 2) return;
      pads.resize(4, 0);
      strides.resize(2, 1);
      const bool ceil_mode = n.int_attribute("ceil_mode", 0) != 0;
      Shape out = x;
      for (int d = 0; d < 2; ++d) {
        if (strides[d] <= 0) return;
        const std::int64_t span = x[2 + d] + pads[d] + pads[d + 2] - k[d];
        out[2 + d] = (ceil_mode ? (span + strides[d] - 1) / strides[d] : span / strides[d]) + 1;
      }
      return set(n, 0, out);
    }
    if (op == "Concat") {
      Shape out = x;
      const std::int64_t axis = norm_axis(n.int_attribute("axis", 0), x.size());
      if (axis < 0 || axis >= static_cast<std::int64_t>(x.size())) return;
      for (std::size_t k = 1; k < in.size(); ++k) {
        if (in[k] == nullptr || in[k]->size() != x.size()) return;
        out[axis] += (*in[k])[axis];
      }
      return set(n, 0, out);
    }
    if (op == "Split") {
      const std::int64_t axis = norm_axis(n.int_attribute("axis", 0), x.size());
      if (axis < 0 || axis >= static_cast<std::int64_t>(x.size())) return;
      std::vector<std::int64_t> sizes = n.ints_attribute("split");
      if (sizes.empty() && n.inputs.size() > 1 && !consts.ints(n.inputs[1], &sizes)) return;
      if (sizes.empty())
        sizes.assign(n.outputs.size(), x[axis] / static_cast<std::int64_t>(std::max<std::size_t>(1, n.outputs.size())));
      for (std::size_t k = 0; k < sizes.size() && k < n.outputs.size(); ++k) {
        Shape s = x;
        s[axis] = sizes[k];
        set(n, k, s);
      }
      return;
    }
    if (op == "Slice" && n.inputs.size() >= 3) {
      std::vector<std::int64_t> starts, ends, axes, steps;
      if (!consts.ints(n.inputs[1], &starts) || !consts.ints(n.inputs[2], &ends)) return;
      if (n.inputs.size() > 3 && !n.inputs[3].empty() && !consts.ints(n.inputs[3], &axes)) return;
      if (n.inputs.size() > 4 && !n.inputs[4].empty() && !consts.ints(n.inputs[4], &steps)) return;
      if (axes.empty())
        for (std::size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<std::int64_t>(k));
      Shape out = x;
      for (std::size_t k = 0; k < starts.size() && k < ends.size() && k < axes.size(); ++k) {
        const std::int64_t a = norm_axis(axes[k], x.size());
        const std::int64_t step = k < steps.size() ? steps[k] : 1;
        if (a < 0 || a >= static_cast<std::int64_t>(x.size()) || step != 1) return;
        const std::int64_t dim = x[a];
        std::int64_t s = starts[k] < 0 ? starts[k] + dim : starts[k], e = ends[k] < 0 ? ends[k] + dim : ends[k];
        s = std::clamp<std::int64_t>(s, 0, dim);
        e = std::clamp<std::int64_t>(e, 0, dim);
        out[a] = std::max<std::int64_t>(0, e - s);
      }
      return set(n, 0, out);
    }
    if (op == "Resize" && x.size() == 4) {
      std::vector<float> scales;
      std::vector<std::int64_t> sizes;
      if (n.inputs.size() > 3 && !n.inputs[3].empty() && consts.ints(n.inputs[3], &sizes) && sizes.size() == 4)
        return set(n, 0, sizes);
      const OnnxTensor* t = n.inputs.size() > 2 ? consts.find(n.inputs[2]) : nullptr;
      if (t == nullptr || !t->to_float(&scales) || scales.size() != 4) return;
      Shape out = x;
      for (int k = 0; k < 4; ++k) out[k] = static_cast<std::int64_t>(std::floor(static_cast<double>(x[k]) * scales[k]));
      return set(n, 0, out);
    }
    if (op == "Pad" && n.inputs.size() >= 2) {
      std::vector<std::int64_t> pads;
      if (!consts.ints(n.inputs[1], &pads) || pads.size() != 2 * x.size()) return;
      Shape out = x;
      for (std::size_t k = 0; k < x.size(); ++k) out[k] += pads[k] + pads[k + x.size()];
      return set(n, 0, out);
    }
    if (op == "Reshape" && n.inputs.size() >= 2) {
      std::vector<std::int64_t> target;
      if (!consts.ints(n.inputs[1], &target)) return;
      std::int64_t total = 1, known = 1;
      for (auto d : x) total *= d;
      int infer = -1;
      for (std::size_t k = 0; k < target.size(); ++k) {
        if (target[k] == 0 && k < x.size()) target[k] = x[k];
        if (target[k] == -1) {
          infer = static_cast<int>(k);
          continue;
        }
        if (target[k] <= 0) return;
        known *= target[k];
      }
      if (infer >= 0) {
        if (known == 0 || total % known != 0) return;
        target[infer] = total / known;
      }
      return set(n, 0, target);
    }
    if (op == "Transpose") {
      std::vector<std::int64_t> perm = n.ints_attribute("perm");
      if (perm.empty())
        for (std::size_t k = x.size(); k-- > 0;) perm.push_back(static_cast<std::int64_t>(k));
      if (perm.size() != x.size()) return;
      Shape out;
      for (auto p : perm) {
        if (p < 0 || p >= static_cast<std::int64_t>(x.size())) return;
        out.push_back(x[p]);
      }
      return set(n, 0, out);
    }
    if (op == "MatMul" && in.size() == 2 && in[1] != nullptr && x.size() >= 2 && in[1]->size() >= 2) {
      const Shape& y = *in[1];
      auto batch = broadcast(Shape(x.begin(), x.end() - 2), Shape(y.begin(), y.end() - 2));
      if (!batch || x.back() != y[y.size() - 2]) return;
      batch->push_back(x[x.size() - 2]);
      batch->push_back(y.back());
      return set(n, 0, *batch);
    }
  }

  std::unordered_map<std::string, Shape> shapes_;
};

// ------------------------------------------------------------- pruning ----

// Keeps only the nodes the graph outputs need; drops unused initializers
// and graph inputs that are initializers nobody reads.
void prune(OnnxModel* m) {
  std::unordered_set<std::string> need;
  for (const auto& o : m->outputs) need.insert(o.name);
  std::vector<bool> keep(m->nodes.size(), false);
  for (std::size_t k = m->nodes.size(); k-- > 0;) {
    const OnnxNode& n = m->nodes[k];
    if (std::none_of(n.outputs.begin(), n.outputs.end(), [&](const std::string& o) { return need.count(o) > 0; }))
      continue;
    keep[k] = true;
    for (const auto& i : n.inputs) need.insert(i);
  }
  std::vector<OnnxNode> nodes;
  for (std::size_t k = 0; k < m->nodes.size(); ++k)
    if (keep[k]) nodes.push_back(std::move(m->nodes[k]));
  m->nodes = std::move(nodes);
  // Unused initializers go, and graph inputs that named them.
  std::unordered_set<std::string> dropped;
  for (const auto& t : m->initializers)
    if (!need.count(t.name)) dropped.insert(t.name);
  m->initializers.erase(std::remove_if(m->initializers.begin(), m->initializers.end(),
                                       [&](const OnnxTensor& t) { return dropped.count(t.name) > 0; }),
                        m->initializers.end());
  m->inputs.erase(std::remove_if(m->inputs.begin(), m->inputs.end(),
                                 [&](const OnnxValueInfo& v) { return dropped.count(v.name) > 0; }),
                  m->inputs.end());
}

// --------------------------------------------- constant inputs -> attrs ----

struct ConstToAttr {
  const char* op;
  int input;           // index of the constant input
  const char* attr;    // attribute name
  bool as_float;       // float scalar (Clip) or int list
  std::int64_t since;  // opset from which the input form exists
};

constexpr ConstToAttr kConstToAttr[] = {
    {"Split", 1, "split", false, 13},    {"ReduceSum", 1, "axes", false, 13}, {"ReduceMean", 1, "axes", false, 18},
    {"ReduceMax", 1, "axes", false, 18}, {"ReduceMin", 1, "axes", false, 18}, {"Squeeze", 1, "axes", false, 13},
    {"Unsqueeze", 1, "axes", false, 13}, {"Clip", 1, "min", true, 11},        {"Clip", 2, "max", true, 11},
};

// Moves constant inputs into attributes; `with_clip` false keeps Clip's
// inputs (the opset-12 form). Returns per-op counts.
std::map<std::string, int> constant_inputs_to_attributes(OnnxModel* m, bool with_clip) {
  Consts consts;
  consts.index(*m);
  std::map<std::string, int> counts;
  for (OnnxNode& n : m->nodes) {
    if (!n.domain.empty()) continue;
    if (n.op_type == "Clip" && !with_clip) continue;
    bool changed = false;
    std::vector<bool> drop(n.inputs.size(), false);
    for (const ConstToAttr& r : kConstToAttr) {
      if (n.op_type != r.op || static_cast<int>(n.inputs.size()) <= r.input) continue;
      const std::string& name = n.inputs[r.input];
      if (name.empty()) {
        drop[r.input] = true;
        continue;
      }
      const OnnxTensor* t = consts.find(name);
      if (t == nullptr) continue;
      OnnxAttribute a;
      a.name = r.attr;
      if (r.as_float) {
        std::vector<float> v;
        if (!t->to_float(&v) || v.size() != 1) continue;
        a.type = kAttrFloat;
        a.f = v[0];
      } else {
        if (!t->to_int64(&a.ints)) continue;
        a.type = kAttrInts;
      }
      n.set_attribute(std::move(a));
      drop[r.input] = true;
      changed = true;
    }
    if (!changed) continue;
    // Inputs can only be dropped from the end.
    std::size_t keep = n.inputs.size();
    while (keep > 1 && drop[keep - 1]) --keep;
    if (keep != 1) continue;  // a non-constant later input: leave the node alone
    n.inputs.resize(1);
    ++counts[n.op_type];
  }
  return counts;
}

// ------------------------------------------------------------- folding ----

// Evaluates integer shape arithmetic (Shape of a static tensor, Gather,
// Add/Sub/Mul/Div, Unsqueeze/Squeeze, Concat, Cast, Slice of constants) and
// replaces those nodes by initializers. Returns the number of folded nodes.
int fold_shape_computations(OnnxModel* m) {
  Consts consts;
  consts.index(*m);
  ShapeMap shapes;
  shapes.infer(*m, consts);
  std::unordered_map<std::string, std::pair<std::vector<std::int64_t>, Shape>> values;  // folded: values, dims
  auto get = [&](const std::string& name, std::vector<std::int64_t>* v, Shape* dims) {
    if (auto it = values.find(name); it != values.end()) {
      *v = it->second.first;
      *dims = it->second.second;
      return true;
    }
    const OnnxTensor* t = consts.find(name);
    if (t == nullptr || (t->data_type != kOnnxInt64 && t->data_type != kOnnxInt32)) return false;
    if (t->element_count() < 0 || static_cast<std::size_t>(t->element_count()) > kMaxFoldElements) return false;
    *dims = t->dims;
    return t->to_int64(v);
  };
  std::vector<bool> folded(m->nodes.size(), false);
  int count = 0;
  for (std::size_t k = 0; k < m->nodes.size(); ++k) {
    const OnnxNode& n = m->nodes[k];
    if (!n.domain.empty() || n.outputs.size() != 1 || n.inputs.empty()) continue;
    std::vector<std::int64_t> out;
    Shape out_dims;
    const std::string& op = n.op_type;
    if (op == "Shape") {
      const Shape* s = shapes.find(n.inputs[0]);
      if (s == nullptr) continue;
      out = *s;
      std::int64_t start = norm_axis(n.int_attribute("start", 0), s->size());
      std::int64_t end =
          n.attribute("end") ? norm_axis(n.int_attribute("end", 0), s->size()) : static_cast<std::int64_t>(s->size());
      start = std::clamp<std::int64_t>(start, 0, static_cast<std::int64_t>(s->size()));
      end = std::clamp<std::int64_t>(end, start, static_cast<std::int64_t>(s->size()));
      out = Shape(s->begin() + start, s->begin() + end);
      out_dims = {static_cast<std::int64_t>(out.size())};
    } else {
      std::vector<std::vector<std::int64_t>> in(n.inputs.size());
      std::vector<Shape> in_dims(n.inputs.size());
      bool all = true;
      for (std::size_t i = 0; i < n.inputs.size() && all; ++i) all = get(n.inputs[i], &in[i], &in_dims[i]);
      if (!all) continue;
      if (op == "Gather" && in.size() == 2) {
        const std::int64_t axis = n.int_attribute("axis", 0);
        if (axis != 0 || in_dims[0].size() != 1) continue;
        bool ok = true;
        for (auto idx : in[1]) {
          const std::int64_t j = idx < 0 ? idx + static_cast<std::int64_t>(in[0].size()) : idx;
          if (j < 0 || j >= static_cast<std::int64_t>(in[0].size()))
            ok = false;
          else
            out.push_back(in[0][j]);
        }
        if (!ok) continue;
        out_dims = in_dims[1];
      } else if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div") && in.size() == 2) {
        const std::size_t size = std::max(in[0].size(), in[1].size());
        if ((in[0].size() != size && in[0].size() != 1) || (in[1].size() != size && in[1].size() != 1)) continue;
        bool ok = true;
        for (std::size_t i = 0; i < size; ++i) {
          const std::int64_t a = in[0][in[0].size() == 1 ? 0 : i], b = in[1][in[1].size() == 1 ? 0 : i];
          if (op == "Add") out.push_back(a + b);
          if (op == "Sub") out.push_back(a - b);
          if (op == "Mul") out.push_back(a * b);
          if (op == "Div") {
            if (b == 0)
              ok = false;
            else
              out.push_back(a / b);
          }
        }
        if (!ok) continue;
        out_dims = in[0].size() >= in[1].size() ? in_dims[0] : in_dims[1];
      } else if (op == "Unsqueeze" || op == "Squeeze") {
        out = in[0];
        out_dims = {static_cast<std::int64_t>(out.size())};
        if (op == "Squeeze" && out.size() == 1) out_dims.clear();
      } else if (op == "Concat") {
        for (const auto& v : in) out.insert(out.end(), v.begin(), v.end());
        out_dims = {static_cast<std::int64_t>(out.size())};
      } else if (op == "Cast") {
        const std::int64_t to = n.int_attribute("to", 0);
        if (to != kOnnxInt64 && to != kOnnxInt32) continue;
        out = in[0];
        out_dims = in_dims[0];
      } else {
        continue;
      }
    }
    if (out.size() > kMaxFoldElements) continue;
    values[n.outputs[0]] = {out, out_dims};
    folded[k] = true;
    ++count;
  }
  if (count == 0) return 0;
  // Replace every folded node by an initializer (pruning drops the unused).
  std::vector<OnnxNode> nodes;
  for (std::size_t k = 0; k < m->nodes.size(); ++k) {
    if (!folded[k]) {
      nodes.push_back(std::move(m->nodes[k]));
      continue;
    }
    const std::string& name = m->nodes[k].outputs[0];
    const auto& [v, dims] = values[name];
    m->initializers.push_back(OnnxTensor::from_int64(name, v, dims));
  }
  m->nodes = std::move(nodes);
  prune(m);
  return count;
}

// ----------------------------------------------------------- head cut ----

struct DetectHead {
  std::string box_conv, cls_conv;  // node names
  std::string box_tensor, cls_tensor;
  std::int64_t box_channels = 0, classes = 0;
};

Message task_description(const std::string& task) {
  if (task == "segment") return MessageId::kTaskSegment;
  if (task == "pose") return MessageId::kTaskPose;
  if (task == "obb") return MessageId::kTaskObb;
  if (task == "classify") return MessageId::kTaskClassify;
  return Message::text(task);
}

Status check_task(const OnnxModel& m, const std::string& what) {
  const std::string* task = m.metadata_value("task");
  if (task == nullptr || task->empty() || *task == "detect") return Status();
  return unsupported_model(MessageId::kRewriteNotDetection,
                           {{"path", what}, {"description", task_description(*task)}, {"task", *task}});
}

// Finds Ultralytics Detect heads: Concat(box conv, cls conv) per stride,
// feeding an in-graph decode (not graph outputs themselves).
std::vector<DetectHead> find_detect_heads(const OnnxModel& m, const Consts& consts) {
  std::unordered_map<std::string, const OnnxNode*> producer;
  for (const auto& n : m.nodes)
    for (const auto& o : n.outputs) producer[o] = &n;
  std::unordered_set<std::string> outputs;
  for (const auto& o : m.outputs) outputs.insert(o.name);
  std::vector<DetectHead> heads;
  for (const auto& n : m.nodes) {
    if (n.op_type != "Concat" || n.inputs.size() != 2 || n.outputs.size() != 1 || outputs.count(n.outputs[0])) continue;
    const OnnxNode* a = producer.count(n.inputs[0]) ? producer[n.inputs[0]] : nullptr;
    const OnnxNode* b = producer.count(n.inputs[1]) ? producer[n.inputs[1]] : nullptr;
    if (a == nullptr || b == nullptr || a->op_type != "Conv" || b->op_type != "Conv") continue;
    if (a->inputs.size() < 2 || b->inputs.size() < 2) continue;
    const OnnxTensor* wa = consts.find(a->inputs[1]);
    const OnnxTensor* wb = consts.find(b->inputs[1]);
    if (wa == nullptr || wb == nullptr || wa->dims.size() != 4 || wb->dims.size() != 4) continue;
    DetectHead h;
    h.box_conv = a->name;
    h.cls_conv = b->name;
    h.box_tensor = a->outputs[0];
    h.cls_tensor = b->outputs[0];
    h.box_channels = wa->dims[0];
    h.classes = wb->dims[0];
    if (h.box_channels % 4 != 0 || h.box_channels < 4) continue;
    heads.push_back(h);
  }
  return heads;
}

std::string family_guess(const OnnxModel& m, bool one2one) {
  if (one2one) return "yolov10";
  const std::string* desc = m.metadata_value("description");
  std::string d = desc ? *desc : "";
  std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* f : {"yolov5", "yolov8", "yolov9", "yolov10", "yolo11", "yolo12"})
    if (d.find(f) != std::string::npos) return f;
  return "ultralytics";
}

// Cuts at the per-stride convolutions: outputs box_s<S> (the box conv) and
// cls_s<S> = Sigmoid(cls conv); with `score_sum`, score_sum_s<S> too.
Status cut_detect_head(OnnxModel* m, const std::string& what, bool score_sum, OnnxImportReport* report, bool* cut) {
  *cut = false;
  Consts consts;
  consts.index(*m);
  std::vector<DetectHead> heads = find_detect_heads(*m, consts);
  if (heads.empty()) return Status();
  bool one2one = false;
  for (const auto& n : m->nodes)
    if (n.op_type == "TopK") one2one = true;
  for (const auto& h : heads)
    if (h.box_conv.find("one2one") != std::string::npos) one2one = true;
  if (one2one)  // v10 exports keep the one-to-one convs only; be sure
    heads.erase(std::remove_if(heads.begin(), heads.end(),
                               [](const DetectHead& h) { return h.box_conv.find("one2one") == std::string::npos; }),
                heads.end());
  if (heads.empty()) return Status();
  for (const auto& h : heads)
    if (h.box_channels != heads[0].box_channels || h.classes != heads[0].classes)
      return unsupported_model(MessageId::kRewriteHeadsDisagree, {{"path", what},
                                                                  {"conv", h.box_conv},
                                                                  {"box_channels", h.box_channels},
                                                                  {"classes", h.classes},
                                                                  {"first_conv", heads[0].box_conv},
                                                                  {"first_box_channels", heads[0].box_channels},
                                                                  {"first_classes", heads[0].classes}});
  ShapeMap shapes;
  shapes.infer(*m, consts);
  const OnnxValueInfo* image = nullptr;
  for (const auto& v : m->inputs)
    if (!is_initializer(*m, v.name)) image = &v;
  // Strides from the grids (input size / grid), else 8, 16, 32, ...
  struct Cut {
    DetectHead head;
    Shape box, cls;
    int stride;
  };
  std::vector<Cut> cuts;
  for (std::size_t k = 0; k < heads.size(); ++k) {
    Cut c{heads[k], {}, {}, 8 << k};
    const Shape* sb = shapes.find(heads[k].box_tensor);
    if (sb != nullptr && sb->size() == 4 && image != nullptr && image->dims.size() == 4 && image->dims[3] > 0 &&
        (*sb)[3] > 0)
      c.stride = static_cast<int>((image->dims[3] + (*sb)[3] - 1) / (*sb)[3]);
    if (sb != nullptr && sb->size() == 4) {
      c.box = *sb;
      c.cls = {(*sb)[0], heads[k].classes, (*sb)[2], (*sb)[3]};
    } else if (image != nullptr && image->dims.size() == 4 && image->dims[2] > 0 && image->dims[3] > 0) {
      const std::int64_t gh = (image->dims[2] + c.stride - 1) / c.stride,
                         gw = (image->dims[3] + c.stride - 1) / c.stride;
      c.box = {1, heads[k].box_channels, gh, gw};
      c.cls = {1, heads[k].classes, gh, gw};
    } else {
      c.box = {1, heads[k].box_channels, -1, -1};
      c.cls = {1, heads[k].classes, -1, -1};
    }
    cuts.push_back(c);
  }
  std::sort(cuts.begin(), cuts.end(), [](const Cut& a, const Cut& b) { return a.stride < b.stride; });

  // Rename each box conv's output to box_s<S>; add the Sigmoid (and score_sum).
  std::unordered_map<std::string, std::string> renamed;
  for (const auto& c : cuts) renamed[c.head.box_tensor] = "box_s" + std::to_string(c.stride);
  for (auto& n : m->nodes) {
    for (auto& o : n.outputs)
      if (auto it = renamed.find(o); it != renamed.end()) o = it->second;
    for (auto& i : n.inputs)
      if (auto it = renamed.find(i); it != renamed.end()) i = it->second;
  }
  m->outputs.clear();
  bool one_needed = false;
  for (const auto& c : cuts) {
    const std::string s = std::to_string(c.stride);
    OnnxNode sig;
    sig.name = "rkyolo/cls_sigmoid_s" + s;
    sig.op_type = "Sigmoid";
    sig.inputs = {c.head.cls_tensor};
    sig.outputs = {"cls_s" + s};
    m->nodes.push_back(sig);
    auto vi = [](const std::string& name, const Shape& dims) {
      OnnxValueInfo v;
      v.name = name;
      v.has_shape = true;
      v.dims = dims;
      v.dim_params.assign(dims.size(), "");
      return v;
    };
    m->outputs.push_back(vi("box_s" + s, c.box));
    m->outputs.push_back(vi("cls_s" + s, c.cls));
    if (!score_sum) continue;
    // score_sum = 1 - Relu(1 - ReduceSum(cls)) = min(sum, 1): sigmoid scores
    // are positive, so this is Rockchip's clip(sum, 0, 1) without Clip, which
    // OpenCV 4.6 cannot read at opset >= 11.
    one_needed = true;
    OnnxNode rs;
    rs.name = "rkyolo/score_sum_s" + s + "/ReduceSum";
    rs.op_type = "ReduceSum";
    rs.inputs = {"cls_s" + s};
    rs.outputs = {rs.name + "_output"};
    OnnxAttribute axes;
    axes.name = "axes";
    axes.type = kAttrInts;
    axes.ints = {1};
    rs.attributes.push_back(axes);
    OnnxAttribute keep;
    keep.name = "keepdims";
    keep.type = kAttrInt;
    keep.i = 1;
    rs.attributes.push_back(keep);
    OnnxNode sub1{"rkyolo/score_sum_s" + s + "/Sub", "Sub", "", {"rkyolo/one", rs.outputs[0]}, {}, {}};
    sub1.outputs = {sub1.name + "_output"};
    OnnxNode relu{"rkyolo/score_sum_s" + s + "/Relu", "Relu", "", {sub1.outputs[0]}, {}, {}};
    relu.outputs = {relu.name + "_output"};
    OnnxNode sub2{
        "rkyolo/score_sum_s" + s + "/Sub_1", "Sub", "", {"rkyolo/one", relu.outputs[0]}, {"score_sum_s" + s}, {}};
    m->nodes.push_back(rs);
    m->nodes.push_back(sub1);
    m->nodes.push_back(relu);
    m->nodes.push_back(sub2);
    m->outputs.push_back(vi("score_sum_s" + s, {c.cls[0], 1, c.cls[2], c.cls[3]}));
  }
  if (one_needed) m->initializers.push_back(OnnxTensor::from_float("rkyolo/one", {1.0f}, {1}));
  prune(m);

  std::string strides;
  for (const auto& c : cuts) strides += (strides.empty() ? "" : ", ") + std::to_string(c.stride);
  report->family = family_guess(*m, one2one);
  report->rewrites.push_back("cut the " + report->family + " Detect head" +
                             (one2one ? " (one-to-one branch, before TopK)" : "") +
                             " at its per-stride box and class convolutions (strides " + strides + ", " +
                             std::to_string(cuts[0].head.classes) + " classes), Sigmoid added on the classes" +
                             (score_sum ? ", score_sum added" : "") + "; rkyolo decodes the boxes (DFL)" +
                             (one2one ? " and keeps the top scores without NMS" : ""));
  if (one2one) m->set_metadata("end2end", "True");
  *cut = true;
  return Status();
}

std::string join_counts(const std::map<std::string, int>& counts) {
  std::string s;
  for (const auto& [op, n] : counts) s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + op;
  return s;
}

// Moves TopK-free v10 graphs etc. through the generic rewrites.
void generic_rewrites(OnnxModel* m, bool with_clip, OnnxImportReport* report) {
  // Each pass can reveal shapes that depend on what the previous one folded.
  int folded = 0;
  for (int pass = 0; pass < 16; ++pass) {
    const int n = fold_shape_computations(m);
    if (n == 0) break;
    folded += n;
  }
  if (folded > 0)
    report->rewrites.push_back("folded " + std::to_string(folded) +
                               " shape computation nodes (Shape, Gather, arithmetic) to constants");
  const auto counts = constant_inputs_to_attributes(m, with_clip);
  if (!counts.empty())
    report->rewrites.push_back("constant inputs moved to the attribute form OpenCV 4.6 reads: " + join_counts(counts));
}

}  // namespace

Status rewrite_for_opencv(OnnxModel* model, const std::string& what, OnnxImportReport* report) {
  *report = OnnxImportReport{};
  RKYOLO_RETURN_IF_ERROR(check_task(*model, what));
  bool cut = false;
  RKYOLO_RETURN_IF_ERROR(cut_detect_head(model, what, false, report, &cut));
  generic_rewrites(model, true, report);
  if (!report->rewrites.empty()) {
    std::string all;
    for (const auto& r : report->rewrites) all += (all.empty() ? "" : "; ") + r;
    model->set_metadata(kRewritesMetadataKey, all);
  }
  return Status();
}

Status import_onnx_for_opencv(std::vector<std::uint8_t>* bytes, const std::string& what, OnnxModel* model,
                              OnnxImportReport* report) {
  *report = OnnxImportReport{};
  RKYOLO_RETURN_IF_ERROR(read_onnx_model(bytes->data(), bytes->size(), what, model));
  RKYOLO_RETURN_IF_ERROR(validate_onnx_model(*model, what));
  RKYOLO_RETURN_IF_ERROR(rewrite_for_opencv(model, what, report));
  if (report->rewrites.empty()) return Status();
  RKYOLO_RETURN_IF_ERROR(validate_onnx_model(*model, what + " (after rkyolo's rewrites)"));
  *bytes = write_onnx_model(*model);
  return Status();
}

Status export_rknn_split(OnnxModel* m, const std::string& what, OnnxImportReport* report) {
  *report = OnnxImportReport{};
  RKYOLO_RETURN_IF_ERROR(check_task(*m, what));
  bool cut = false;
  RKYOLO_RETURN_IF_ERROR(cut_detect_head(m, what, true, report, &cut));
  if (!cut) return unsupported_model(MessageId::kRewriteNoDetectHead, {{"path", what}});
  generic_rewrites(m, false, report);
  const std::int64_t opset = m->opset();
  if (opset > 12) {
    // The opset-12 forms: attributes for Split/Reduce/Squeeze axes (done
    // above); Resize-11 needs its roi input present, even empty.
    bool need_roi = false;
    for (auto& n : m->nodes)
      if (n.op_type == "Resize" && n.inputs.size() >= 3 && n.inputs[1].empty()) {
        n.inputs[1] = "rkyolo/empty_roi";
        need_roi = true;
      }
    if (need_roi) {
      OnnxNode c;
      c.name = "rkyolo/empty_roi";
      c.op_type = "Constant";
      c.outputs = {"rkyolo/empty_roi"};
      OnnxAttribute v;
      v.name = "value";
      v.type = kAttrTensor;
      v.t = OnnxTensor::from_float("", {}, {0});
      c.attributes.push_back(v);
      m->nodes.insert(m->nodes.begin(), c);
    }
    // Attributes added after opset 12 go when they hold their default;
    // operators added after 12 cannot be lowered.
    for (auto& n : m->nodes) {
      auto& attrs = n.attributes;
      attrs.erase(
          std::remove_if(attrs.begin(), attrs.end(),
                         [&](const OnnxAttribute& a) {
                           return (n.op_type == "Reshape" && a.name == "allowzero" && a.i == 0) ||
                                  (n.op_type.rfind("Reduce", 0) == 0 && a.name == "noop_with_empty_axes" && a.i == 0);
                         }),
          attrs.end());
      static const char* const kAfter12[] = {"LayerNormalization", "GroupNormalization", "Mish", "GridSample", "Trilu",
                                             "HardSwish"};
      for (const char* op : kAfter12)
        if (n.op_type == op)
          return unsupported_model(MessageId::kRewriteOpsetMissing,
                                   {{"path", what}, {"node", n.name}, {"op", n.op_type}});
      if (n.attribute("allowzero") != nullptr && n.op_type == "Reshape")
        return unsupported_model(MessageId::kRewriteAllowZero, {{"path", what}, {"node", n.name}});
    }
    for (const auto& n : m->nodes)
      if (n.op_type == "Softmax") {
        const std::int64_t axis = n.int_attribute("axis", -1);
        if (axis != -1)
          return unsupported_model(MessageId::kRewriteSoftmaxAxis, {{"path", what}, {"node", n.name}, {"axis", axis}});
      }
    report->rewrites.push_back("ai.onnx opset " + std::to_string(opset) + " -> 12");
  }
  m->set_opset(12);
  if (m->ir_version > 7) m->ir_version = 7;  // opset 12's IR version
  m->set_metadata("output_layout", "rknn_model_zoo_split_v8");
  return validate_onnx_model(*m, what + " (exported)");
}

}  // namespace rkyolo::core
