// YOLO layout auto-detection: (1) metadata, (2) output count and shapes,
// (3) consistency checks (anchor counts, class counts across heads).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/limits.h"
#include "core/metadata.h"
#include "rkyolo/layout.h"

namespace rkyolo {

using core::ModelMetadata;

const char* family_name(YoloFamily family) {
  switch (family) {
    case YoloFamily::kUnknown: return "unknown";
    case YoloFamily::kYolov5Combined: return "yolov5 (combined)";
    case YoloFamily::kYolov5Split: return "yolov5 (split heads)";
    case YoloFamily::kYolov8Combined: return "yolov8/yolo11 (combined)";
    case YoloFamily::kYolov8SplitDfl: return "yolov8/yolo11 (split DFL heads)";
    case YoloFamily::kEndToEnd: return "end-to-end (yolov10 style, no NMS)";
  }
  return "?";
}

const std::vector<std::vector<std::array<float, 2>>>& default_yolov5_anchors() {
  static const std::vector<std::vector<std::array<float, 2>>> kAnchors = {
      {{10, 13}, {16, 30}, {33, 23}},
      {{30, 61}, {62, 45}, {59, 119}},
      {{116, 90}, {156, 198}, {373, 326}},
  };
  return kAnchors;
}

namespace {

Message describe_outputs(const std::vector<TensorInfo>& outputs, int in_w, int in_h) {
  std::ostringstream os;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (i) os << ", ";
    if (outputs[i].name.empty())
      os << '#' << i;
    else
      os << outputs[i].name;
    os << ' ' << shape_string(outputs[i].dims);
  }
  return Message(outputs.size() == 1 ? MessageId::kLayoutOneOutput : MessageId::kLayoutOutputs,
                 {{"count", outputs.size()}, {"list", os.str()}, {"width", in_w}, {"height", in_h}});
}

Status unrecognised(const std::vector<TensorInfo>& outputs, int in_w, int in_h, MessageId why,
                    std::vector<MessageArg> args = {}) {
  return unsupported_model(MessageId::kLayoutUnrecognised, {{"why", Message(why, std::move(args))},
                                                            {"outputs", describe_outputs(outputs, in_w, in_h)}});
}

std::int64_t grid_cells(int in_w, int in_h, const std::vector<int>& strides) {
  std::int64_t g = 0;
  for (int s : strides) g += static_cast<std::int64_t>((in_h + s - 1) / s) * ((in_w + s - 1) / s);
  return g;
}

// Stride whose grid is (h, w) for this input, or 0. A model may pad its
// input up to a multiple of its largest stride (32) inside the graph, so a
// 596-wide input can have a 76-cell grid at stride 8 (608 / 8).
int stride_for_grid(int in_w, int in_h, std::int64_t h, std::int64_t w) {
  auto cells = [](int size, int s) { return (size + s - 1) / s; };
  for (int s = 1; s <= 256; s *= 2)
    if (cells(in_h, s) == h && cells(in_w, s) == w) return s;
  const int ph = cells(in_h, 32) * 32, pw = cells(in_w, 32) * 32;
  for (int s = 1; s <= 32; s *= 2)
    if (cells(ph, s) == h && cells(pw, s) == w) return s;
  return 0;
}

bool name_says_sum(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return n.find("sum") != std::string::npos;
}

Status check_names(const YoloLayout& l, const ModelMetadata& meta, const std::vector<TensorInfo>& outputs, int in_w,
                   int in_h) {
  if (!meta.names.empty() && static_cast<int>(meta.names.size()) != l.num_classes)
    return unsupported_model(MessageId::kLayoutNamesMismatch, {{"names", meta.names.size()},
                                                               {"family", family_name(l.family)},
                                                               {"classes", l.num_classes},
                                                               {"outputs", describe_outputs(outputs, in_w, in_h)}});
  if (meta.num_classes > 0 && meta.num_classes != l.num_classes)
    return unsupported_model(
        MessageId::kLayoutNcMismatch,
        {{"nc", meta.num_classes}, {"classes", l.num_classes}, {"outputs", describe_outputs(outputs, in_w, in_h)}});
  return Status();
}

Status detect_combined(const std::vector<TensorInfo>& outputs, int in_w, int in_h, const ModelMetadata& meta,
                       const LayoutHints& hints, YoloLayout* l) {
  const TensorInfo& t = outputs[0];
  std::int64_t a, b;
  if (t.dims.size() == 3) {
    if (t.dims[0] != 1) return unrecognised(outputs, in_w, in_h, MessageId::kLayoutBatchNotOne);
    a = t.dims[1];
    b = t.dims[2];
  } else {
    a = t.dims[0];
    b = t.dims[1];
  }
  std::vector<int> strides = meta.strides.empty() ? std::vector<int>{8, 16, 32} : meta.strides;
  std::int64_t g = grid_cells(in_w, in_h, strides);
  if (a != g && b != g && a % g != 0 && !meta.strides.empty()) {
    strides = {8, 16, 32};  // metadata strides may list only the largest one
    g = grid_cells(in_w, in_h, strides);
  }
  if (a != g && b != g && a % g != 0) {  // input padded to a multiple of 32 inside the graph
    const std::int64_t padded = grid_cells((in_w + 31) / 32 * 32, (in_h + 31) / 32 * 32, strides);
    if (a == padded || b == padded || a % padded == 0) g = padded;
  }
  const int na = hints.anchors.empty() ? (meta.anchors.empty() ? 3 : static_cast<int>(meta.anchors[0].size()))
                                       : static_cast<int>(hints.anchors[0].size());
  l->combined_output = 0;
  const bool says_e2e = meta.end2end.value_or(false);
  if (says_e2e || (b == 6 && a != g && a != na * g)) {
    if (b != 6) return unrecognised(outputs, in_w, in_h, MessageId::kLayoutE2eRowsNotSix);
    l->family = YoloFamily::kEndToEnd;
    l->num_classes = !meta.names.empty() ? static_cast<int>(meta.names.size())
                                         : (meta.num_classes > 0 ? meta.num_classes : hints.num_classes);
    if (l->num_classes <= 0)
      return unsupported_model(MessageId::kLayoutE2eNoClassCount, {{"shape", shape_string(t.dims)}});
    l->source = says_e2e ? "metadata end2end + shape" : "shape (K, 6)";
    return Status();
  }
  if (a == na * g && b >= 6) {
    l->family = YoloFamily::kYolov5Combined;
    l->num_classes = static_cast<int>(b - 5);
    l->num_anchors = na;
    l->source = "shape (N = " + std::to_string(na) + " x " + std::to_string(g) + " grid cells, nc + 5)";
  } else if (b == g && a >= 5) {
    l->family = YoloFamily::kYolov8Combined;
    l->num_classes = static_cast<int>(a - 4);
    l->source = "shape (4 + nc, A = " + std::to_string(g) + " grid cells)";
  } else if (a == g && b >= 5) {
    l->family = YoloFamily::kYolov8Combined;
    l->transposed = true;
    l->num_classes = static_cast<int>(b - 4);
    l->source = "shape (A = " + std::to_string(g) + " grid cells, 4 + nc)";
  } else {
    return unrecognised(outputs, in_w, in_h, MessageId::kLayoutRowCount, {{"cells", g}, {"anchor_cells", na * g}});
  }
  for (int s : strides) {
    HeadBinding h;
    h.stride = s;
    h.grid_h = (in_h + s - 1) / s;
    h.grid_w = (in_w + s - 1) / s;
    l->heads.push_back(h);  // informational for combined layouts
  }
  return Status();
}

Status detect_split(const std::vector<TensorInfo>& outputs, int in_w, int in_h, const ModelMetadata& meta,
                    const LayoutHints& hints, YoloLayout* l) {
  struct Group {
    std::int64_t h, w;
    int stride;
    std::vector<int> members;  // output indices, in output order
  };
  std::vector<Group> groups;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& d = outputs[i].dims;
    if (d.size() != 4 || d[0] != 1) return unrecognised(outputs, in_w, in_h, MessageId::kLayoutSplitHeadShape);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.h == d[2] && g.w == d[3]; });
    if (it == groups.end()) {
      const int s = stride_for_grid(in_w, in_h, d[2], d[3]);
      if (s == 0)
        return unrecognised(outputs, in_w, in_h, MessageId::kLayoutGridNotPowerOfTwo,
                            {{"grid_h", d[2]}, {"grid_w", d[3]}});
      groups.push_back(Group{d[2], d[3], s, {}});
      it = groups.end() - 1;
    }
    it->members.push_back(static_cast<int>(i));
  }
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) { return a.stride < b.stride; });
  const bool one_each = std::all_of(groups.begin(), groups.end(), [](const Group& g) { return g.members.size() == 1; });
  auto channels = [&](int idx) { return outputs[idx].dims[1]; };

  if (one_each) {
    // YOLOv5 split heads: C = na * (nc + 5) per stride.
    l->family = YoloFamily::kYolov5Split;
    std::vector<std::vector<std::array<float, 2>>> anchors = hints.anchors;
    std::string anchor_source = "anchors from options";
    if (anchors.empty() && !meta.anchors.empty()) {
      for (const auto& level : meta.anchors) {
        std::vector<std::array<float, 2>> lv;
        for (const auto& p : level) lv.push_back({p.first, p.second});
        anchors.push_back(lv);
      }
      anchor_source = "anchors from metadata";
    }
    if (anchors.empty()) {
      const bool p3p5 = groups.size() == 3 && groups[0].stride == 8 && groups[1].stride == 16 && groups[2].stride == 32;
      if (!p3p5)
        return unsupported_model(MessageId::kLayoutV5NeedAnchors, {{"outputs", describe_outputs(outputs, in_w, in_h)}});
      anchors = default_yolov5_anchors();
      anchor_source = "default COCO anchors";
    }
    if (anchors.size() != groups.size())
      return unsupported_model(
          MessageId::kLayoutAnchorLevels,
          {{"levels", anchors.size()}, {"heads", groups.size()}, {"outputs", describe_outputs(outputs, in_w, in_h)}});
    const int na = static_cast<int>(anchors[0].size());
    int nc = -1;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      const std::int64_t c = channels(groups[gi].members[0]);
      if (static_cast<int>(anchors[gi].size()) != na || c % na != 0 || c / na < 6)
        return unrecognised(outputs, in_w, in_h, MessageId::kLayoutV5HeadChannels, {{"channels", c}, {"anchors", na}});
      const int this_nc = static_cast<int>(c / na - 5);
      if (nc >= 0 && nc != this_nc) return unrecognised(outputs, in_w, in_h, MessageId::kLayoutHeadsDisagreeClasses);
      nc = this_nc;
      HeadBinding h;
      h.stride = groups[gi].stride;
      h.grid_h = static_cast<int>(groups[gi].h);
      h.grid_w = static_cast<int>(groups[gi].w);
      h.box_output = groups[gi].members[0];
      h.anchors = anchors[gi];
      l->heads.push_back(h);
    }
    l->num_classes = nc;
    l->num_anchors = na;
    l->source = "shapes (one head per stride), " + anchor_source;
    return Status();
  }

  // YOLOv8 / YOLO11 split DFL heads: box (4*reg_max), classes (nc), optional score_sum (1).
  l->family = YoloFamily::kYolov8SplitDfl;
  int nc = -1, reg_max = -1;
  bool any_sum = false;
  for (const Group& g : groups) {
    if (g.members.size() < 2 || g.members.size() > 3)
      return unrecognised(outputs, in_w, in_h, MessageId::kLayoutDflTensorCount,
                          {{"stride", g.stride}, {"count", g.members.size()}});
    std::vector<int> rest = g.members;
    // Box tensor: 64 channels (4 x 16 bins) first; otherwise the first tensor
    // whose channels split into 4 sides of at least 2 bins.
    auto box_it = std::find_if(rest.begin(), rest.end(), [&](int i) { return channels(i) == 64; });
    if (box_it == rest.end())
      box_it = std::find_if(rest.begin(), rest.end(),
                            [&](int i) { return channels(i) % 4 == 0 && channels(i) >= 8 && channels(i) <= 256; });
    if (box_it == rest.end())
      return unrecognised(outputs, in_w, in_h, MessageId::kLayoutDflNoBox, {{"stride", g.stride}});
    HeadBinding h;
    h.stride = g.stride;
    h.grid_h = static_cast<int>(g.h);
    h.grid_w = static_cast<int>(g.w);
    h.box_output = *box_it;
    rest.erase(box_it);
    if (rest.size() == 1) {
      h.class_output = rest[0];
    } else {
      // Two left: the 1-channel one is score_sum. With one class both have 1
      // channel: a name containing "sum" decides, else output order (class
      // scores come before score_sum in every known export).
      int sum_pos = -1;
      if (channels(rest[0]) == 1 && channels(rest[1]) != 1)
        sum_pos = 0;
      else if (channels(rest[1]) == 1 && channels(rest[0]) != 1)
        sum_pos = 1;
      else if (channels(rest[0]) == 1 && channels(rest[1]) == 1)
        sum_pos = name_says_sum(outputs[rest[0]].name) && !name_says_sum(outputs[rest[1]].name) ? 0 : 1;
      if (sum_pos < 0)
        return unrecognised(outputs, in_w, in_h, MessageId::kLayoutDflNoScoreSum, {{"stride", g.stride}});
      h.sum_output = rest[sum_pos];
      h.class_output = rest[1 - sum_pos];
      any_sum = true;
    }
    const int this_reg = static_cast<int>(channels(h.box_output) / 4);
    const int this_nc = static_cast<int>(channels(h.class_output));
    if ((reg_max >= 0 && reg_max != this_reg) || (nc >= 0 && nc != this_nc))
      return unrecognised(outputs, in_w, in_h, MessageId::kLayoutHeadsDisagreeRegMax);
    reg_max = this_reg;
    nc = this_nc;
    l->heads.push_back(h);
  }
  l->num_classes = nc;
  l->reg_max = reg_max;
  l->source = std::string("shapes (") + (any_sum ? "box + classes + score_sum" : "box + classes") +
              " per stride, paired by grid size)";
  // A YOLOv10-style one-to-one head cut before its TopK: one box per object
  // by training, so top-k by score, no NMS.
  l->nms_free = meta.end2end.value_or(false);
  if (l->nms_free) l->source += ", metadata end2end (one-to-one head: top-k, no NMS)";
  return Status();
}

// Shapes and hints within rkyolo's limits, before any arithmetic on them:
// fixed positive dims, bounded counts (sizes computed from them cannot
// overflow), anchor levels that are not empty.
Status check_bounds(const std::vector<TensorInfo>& outputs, int in_w, int in_h, const LayoutHints& hints) {
  RKYOLO_RETURN_IF_ERROR(core::check_input_size(in_w, in_h, "the model"));
  if (outputs.size() > core::kMaxOutputs)
    return unsupported_model(MessageId::kLayoutTooManyOutputs, {{"count", outputs.size()}, {"max", core::kMaxOutputs}});
  for (const TensorInfo& t : outputs) {
    if (t.dims.size() > core::kMaxTensorRank)
      return unrecognised(outputs, in_w, in_h, MessageId::kLayoutOutputRank, {{"max", core::kMaxTensorRank}});
    std::int64_t elements = 1;
    for (auto d : t.dims) {
      if (d <= 0)
        return unsupported_model(MessageId::kLayoutOutputNotFixed,
                                 {{"outputs", describe_outputs(outputs, in_w, in_h)}});
      if (d > core::kMaxTensorElements / elements)
        return unsupported_model(
            MessageId::kLayoutOutputTooLarge,
            {{"name", t.name}, {"shape", shape_string(t.dims)}, {"max", core::kMaxTensorElements}});
      elements *= d;
    }
  }
  if (hints.num_classes < 0 || hints.num_classes > core::kMaxClasses)
    return invalid_argument(MessageId::kLayoutClassCountRange,
                            {{"count", hints.num_classes}, {"max", core::kMaxClasses}});
  if (hints.anchors.size() > core::kMaxHeads)
    return invalid_argument(MessageId::kLayoutAnchorStrides,
                            {{"count", hints.anchors.size()}, {"max", core::kMaxHeads}});
  for (const auto& level : hints.anchors)
    if (level.empty() || level.size() > core::kMaxAnchorsPerHead)
      return invalid_argument(MessageId::kLayoutAnchorsPerLevel, {{"max", core::kMaxAnchorsPerHead}});
  return Status();
}

}  // namespace

Status detect_layout(const std::vector<TensorInfo>& outputs, int input_width, int input_height,
                     const std::map<std::string, std::string>& metadata, const LayoutHints& hints, YoloLayout* layout) {
  *layout = YoloLayout{};
  layout->input_width = input_width;
  layout->input_height = input_height;
  if (input_width <= 0 || input_height <= 0)
    return unsupported_model(MessageId::kLayoutDynamicInput, {{"width", input_width}, {"height", input_height}});
  if (outputs.empty()) return unsupported_model(MessageId::kLayoutNoOutputs);
  RKYOLO_RETURN_IF_ERROR(check_bounds(outputs, input_width, input_height, hints));
  ModelMetadata meta;
  RKYOLO_RETURN_IF_ERROR(core::parse_model_metadata(metadata, &meta));
  if (!meta.task.empty() && meta.task != "detect")
    return unsupported_model(MessageId::kLayoutNotDetection,
                             {{"task", meta.task}, {"outputs", describe_outputs(outputs, input_width, input_height)}});

  const bool all_4d =
      std::all_of(outputs.begin(), outputs.end(), [](const TensorInfo& t) { return t.dims.size() == 4; });
  Status st;
  if (outputs.size() == 1 && (outputs[0].dims.size() == 3 || outputs[0].dims.size() == 2)) {
    st = detect_combined(outputs, input_width, input_height, meta, hints, layout);
  } else if (all_4d && outputs.size() >= 2) {
    st = detect_split(outputs, input_width, input_height, meta, hints, layout);
  } else {
    st = unrecognised(outputs, input_width, input_height, MessageId::kLayoutNoTensorKind);
  }
  RKYOLO_RETURN_IF_ERROR(st);
  if (layout->num_classes <= 0) return unrecognised(outputs, input_width, input_height, MessageId::kLayoutNoClasses);
  if (layout->num_classes > core::kMaxClasses)
    return unsupported_model(MessageId::kLayoutTooManyClasses,
                             {{"classes", layout->num_classes},
                              {"max", core::kMaxClasses},
                              {"outputs", describe_outputs(outputs, input_width, input_height)}});
  RKYOLO_RETURN_IF_ERROR(check_names(*layout, meta, outputs, input_width, input_height));
  layout->names = meta.names;
  if (!meta.names.empty()) layout->source = "metadata names + " + layout->source;
  return Status();
}

std::ostream& operator<<(std::ostream& os, const YoloLayout& l) {
  os << family_name(l.family) << ", " << l.num_classes << (l.num_classes == 1 ? " class" : " classes") << ", input "
     << l.input_width << 'x' << l.input_height;
  if (!l.heads.empty()) {
    os << ", strides";
    for (const auto& h : l.heads) os << ' ' << h.stride;
  }
  if (l.family == YoloFamily::kYolov8SplitDfl) os << ", reg_max " << l.reg_max;
  if (l.nms_free) os << ", one-to-one (top-k, no NMS)";
  if (l.family == YoloFamily::kYolov5Split || l.family == YoloFamily::kYolov5Combined)
    os << ", " << l.num_anchors << " anchors per cell";
  return os;
}

}  // namespace rkyolo
