#include "support/yolo_synth.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace rkyolo::test {

namespace {

constexpr int kRegMax = 16;
constexpr float kStrongLogit = 12.0f;  // exp(-24) ~ 4e-11: a one-hot for softmax

float uniform(std::mt19937& rng, float lo, float hi) {
  return std::uniform_real_distribution<float>(lo, hi)(rng);
}

// Class score of a background cell, like a trained detector's: tiny
// (sigmoid of a very negative logit).
float background_score(std::mt19937& rng) {
  const float u = uniform(rng, 0.0f, 1.0f);
  return 0.01f * u * u * u;
}

// About 2% of background cells get one near-miss class score (0.05..0.2).
float near_miss(std::mt19937& rng) {
  return rng() % 50 == 0 ? uniform(rng, 0.05f, 0.2f) : 0.0f;
}

float& at4(FloatTensor& t, std::int64_t c, std::int64_t y, std::int64_t x) {
  return t.data[static_cast<std::size_t>((c * t.dims[2] + y) * t.dims[3] + x)];
}

FloatTensor make4(const std::string& name, std::int64_t c, std::int64_t h, std::int64_t w) {
  FloatTensor t;
  t.name = name;
  t.dims = {1, c, h, w};
  t.data.assign(static_cast<std::size_t>(c * h * w), 0.0f);
  return t;
}

// Logits whose softmax expectation over 16 bins is `d`.
void dfl_logits(float d, float* out, bool exact) {
  for (int i = 0; i < kRegMax; ++i) out[i] = exact ? -kStrongLogit : -30.0f;
  const int k = static_cast<int>(std::floor(d));
  const float f = d - static_cast<float>(k);
  if (exact) {
    out[k] = kStrongLogit;
    if (f > 0.25f) out[k + 1] = kStrongLogit;  // f == 0.5: two equal bins
    return;
  }
  out[k] = std::log(std::max(1.0f - f, 1e-12f));
  if (k + 1 < kRegMax) out[k + 1] = std::log(std::max(f, 1e-12f));
}

}  // namespace

std::vector<TruthBox> random_boxes(std::mt19937& rng, int count, int nc, int input, float min_size, float max_size) {
  std::vector<TruthBox> boxes;
  for (int attempt = 0; attempt < 10000 && static_cast<int>(boxes.size()) < count; ++attempt) {
    const float w = std::exp(uniform(rng, std::log(min_size), std::log(max_size)));
    const float h = std::clamp(w * std::exp(uniform(rng, -0.5f, 0.5f)), min_size, max_size);
    if (w > input - 8 || h > input - 8) continue;
    const float x1 = uniform(rng, 4, input - 4 - w), y1 = uniform(rng, 4, input - 4 - h);
    TruthBox b{x1, y1, x1 + w, y1 + h, static_cast<int>(rng() % nc), uniform(rng, 0.5f, 0.95f)};
    bool ok = true;
    for (const auto& o : boxes) {
      const bool overlap = b.x1 < o.x2 + 4 && o.x1 < b.x2 + 4 && b.y1 < o.y2 + 4 && o.y1 < b.y2 + 4;
      const float dx = (b.x1 + b.x2 - o.x1 - o.x2) / 2, dy = (b.y1 + b.y2 - o.y1 - o.y2) / 2;
      if (overlap || std::hypot(dx, dy) < 48) ok = false;
    }
    if (ok) boxes.push_back(b);
  }
  return boxes;
}

SynthModel make_yolov8_split(std::vector<TruthBox>& boxes, int nc, int input, bool with_sum, std::mt19937& rng,
                             bool exact_dfl) {
  SynthModel m;
  const int strides[3] = {8, 16, 32};
  std::vector<FloatTensor> box_t, cls_t;
  for (int s : strides) {
    const int g = input / s;
    box_t.push_back(make4("box" + std::to_string(s), 4 * kRegMax, g, g));
    FloatTensor cls = make4("cls" + std::to_string(s), nc, g, g);
    for (float& v : cls.data) v = background_score(rng);
    const std::size_t plane = static_cast<std::size_t>(g) * g;
    for (std::size_t p = 0; p < plane; ++p)
      if (const float v = near_miss(rng); v > 0) cls.data[(rng() % nc) * plane + p] = v;
    cls_t.push_back(cls);
    // Background DFL logits: arbitrary.
    for (float& v : box_t.back().data) v = uniform(rng, -3.0f, 3.0f);
  }
  m.layout.family = YoloFamily::kYolov8SplitDfl;
  m.layout.num_classes = nc;
  m.layout.input_width = m.layout.input_height = input;
  m.layout.reg_max = kRegMax;
  for (TruthBox& b : boxes) {
    const float cx = (b.x1 + b.x2) / 2, cy = (b.y1 + b.y2) / 2;
    int level = -1;
    for (int li = 0; li < 3 && level < 0; ++li) {
      const float s = static_cast<float>(strides[li]);
      const float col = std::floor(cx / s) + 0.5f, row = std::floor(cy / s) + 0.5f;
      const float d[4] = {col - b.x1 / s, row - b.y1 / s, b.x2 / s - col, b.y2 / s - row};
      if (*std::min_element(d, d + 4) >= 0.0f && *std::max_element(d, d + 4) <= 14.5f) level = li;
    }
    if (level < 0) throw std::runtime_error("box not representable by DFL heads");
    const float s = static_cast<float>(strides[level]);
    const int col = static_cast<int>(std::floor(cx / s)), row = static_cast<int>(std::floor(cy / s));
    float d[4] = {col + 0.5f - b.x1 / s, row + 0.5f - b.y1 / s, b.x2 / s - col - 0.5f, b.y2 / s - row - 0.5f};
    if (exact_dfl) {
      for (float& v : d) v = std::round(v * 2.0f) / 2.0f;
      b.x1 = (col + 0.5f - d[0]) * s;
      b.y1 = (row + 0.5f - d[1]) * s;
      b.x2 = (col + 0.5f + d[2]) * s;
      b.y2 = (row + 0.5f + d[3]) * s;
    }
    for (int side = 0; side < 4; ++side) {
      float logits[kRegMax];
      dfl_logits(d[side], logits, exact_dfl);
      for (int j = 0; j < kRegMax; ++j) at4(box_t[level], side * kRegMax + j, row, col) = logits[j];
    }
    for (int c = 0; c < nc; ++c) at4(cls_t[level], c, row, col) = uniform(rng, 0.0f, 0.05f);
    at4(cls_t[level], b.class_id, row, col) = b.score;
  }
  for (int li = 0; li < 3; ++li) {
    const int g = input / strides[li];
    HeadBinding h;
    h.stride = strides[li];
    h.grid_h = h.grid_w = g;
    h.box_output = static_cast<int>(m.outputs.size());
    m.outputs.push_back(box_t[li]);
    h.class_output = static_cast<int>(m.outputs.size());
    m.outputs.push_back(cls_t[li]);
    if (with_sum) {
      FloatTensor sum = make4("sum" + std::to_string(strides[li]), 1, g, g);
      for (int y = 0; y < g; ++y)
        for (int x = 0; x < g; ++x) {
          float acc = 0;
          for (int c = 0; c < nc; ++c) acc += at4(cls_t[li], c, y, x);
          at4(sum, 0, y, x) = std::min(acc, 1.0f);
        }
      h.sum_output = static_cast<int>(m.outputs.size());
      m.outputs.push_back(sum);
    }
    m.layout.heads.push_back(h);
  }
  return m;
}

SynthModel make_yolov5_split(const std::vector<TruthBox>& boxes, int nc, int input, std::mt19937& rng) {
  SynthModel m;
  const auto& anchors = default_yolov5_anchors();
  const int strides[3] = {8, 16, 32};
  const int per = nc + 5;
  for (int li = 0; li < 3; ++li) {
    const int g = input / strides[li];
    FloatTensor t = make4("p" + std::to_string(li + 3), 3 * per, g, g);
    for (int k = 0; k < 3; ++k)
      for (int y = 0; y < g; ++y)
        for (int x = 0; x < g; ++x) {
          for (int j = 0; j < 4; ++j) at4(t, k * per + j, y, x) = uniform(rng, 0.2f, 0.8f);
          at4(t, k * per + 4, y, x) = uniform(rng, 0.0f, 0.05f);
          for (int c = 0; c < nc; ++c) at4(t, k * per + 5 + c, y, x) = uniform(rng, 0.0f, 1.0f);
        }
    m.outputs.push_back(t);
    HeadBinding h;
    h.stride = strides[li];
    h.grid_h = h.grid_w = g;
    h.box_output = li;
    h.anchors = anchors[li];
    m.layout.heads.push_back(h);
  }
  for (const TruthBox& b : boxes) {
    const float w = b.x2 - b.x1, h = b.y2 - b.y1;
    int best_l = -1, best_k = -1;
    float best_cost = 1e9f;
    for (int li = 0; li < 3; ++li)
      for (int k = 0; k < 3; ++k) {
        const float aw = anchors[li][k][0], ah = anchors[li][k][1];
        if (w >= 3.9f * aw || h >= 3.9f * ah || w < 0.05f * aw || h < 0.05f * ah) continue;
        const float cost = std::abs(std::log(w / aw)) + std::abs(std::log(h / ah));
        if (cost < best_cost) best_cost = cost, best_l = li, best_k = k;
      }
    if (best_l < 0) throw std::runtime_error("box not representable by YOLOv5 anchors");
    const float s = static_cast<float>(strides[best_l]);
    const float cx = (b.x1 + b.x2) / 2, cy = (b.y1 + b.y2) / 2;
    const int col = static_cast<int>(std::floor(cx / s)), row = static_cast<int>(std::floor(cy / s));
    FloatTensor& t = m.outputs[best_l];
    const int base = best_k * per;
    at4(t, base + 0, row, col) = (cx / s - col + 0.5f) / 2;
    at4(t, base + 1, row, col) = (cy / s - row + 0.5f) / 2;
    at4(t, base + 2, row, col) = std::sqrt(w / anchors[best_l][best_k][0]) / 2;
    at4(t, base + 3, row, col) = std::sqrt(h / anchors[best_l][best_k][1]) / 2;
    at4(t, base + 4, row, col) = 0.96f;
    for (int c = 0; c < nc; ++c) at4(t, base + 5 + c, row, col) = uniform(rng, 0.0f, 0.05f);
    at4(t, base + 5 + b.class_id, row, col) = b.score / 0.96f;
  }
  m.layout.family = YoloFamily::kYolov5Split;
  m.layout.num_classes = nc;
  m.layout.num_anchors = 3;
  m.layout.input_width = m.layout.input_height = input;
  return m;
}

SynthModel make_yolov5_combined(const std::vector<TruthBox>& boxes, int nc, int input, std::mt19937& rng) {
  SynthModel m;
  std::int64_t cells = 0;
  for (int s : {8, 16, 32}) cells += static_cast<std::int64_t>(input / s) * (input / s);
  const std::int64_t rows = 3 * cells, cols = nc + 5;
  FloatTensor t;
  t.name = "output0";
  t.dims = {1, rows, cols};
  t.data.resize(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = &t.data[static_cast<std::size_t>(r * cols)];
    row[0] = uniform(rng, 0, input);
    row[1] = uniform(rng, 0, input);
    row[2] = uniform(rng, 4, 100);
    row[3] = uniform(rng, 4, 100);
    row[4] = uniform(rng, 0.0f, 0.05f);
    for (int c = 0; c < nc; ++c) row[5 + c] = uniform(rng, 0.0f, 1.0f);
  }
  std::vector<std::int64_t> used;
  for (const TruthBox& b : boxes) {
    std::int64_t r;
    do r = static_cast<std::int64_t>(rng() % rows);
    while (std::find(used.begin(), used.end(), r) != used.end());
    used.push_back(r);
    float* row = &t.data[static_cast<std::size_t>(r * cols)];
    row[0] = (b.x1 + b.x2) / 2;
    row[1] = (b.y1 + b.y2) / 2;
    row[2] = b.x2 - b.x1;
    row[3] = b.y2 - b.y1;
    row[4] = 0.96f;
    for (int c = 0; c < nc; ++c) row[5 + c] = uniform(rng, 0.0f, 0.05f);
    row[5 + b.class_id] = b.score / 0.96f;
  }
  m.outputs.push_back(t);
  m.layout.family = YoloFamily::kYolov5Combined;
  m.layout.num_classes = nc;
  m.layout.num_anchors = 3;
  m.layout.input_width = m.layout.input_height = input;
  return m;
}

SynthModel make_yolov8_combined(const std::vector<TruthBox>& boxes, int nc, int input, std::mt19937& rng,
                                bool transposed) {
  SynthModel m;
  std::int64_t a = 0;
  for (int s : {8, 16, 32}) a += static_cast<std::int64_t>(input / s) * (input / s);
  const std::int64_t ch = 4 + nc;
  FloatTensor t;
  t.name = "output0";
  t.dims = transposed ? std::vector<std::int64_t>{1, a, ch} : std::vector<std::int64_t>{1, ch, a};
  t.data.resize(static_cast<std::size_t>(a * ch));
  auto at = [&](std::int64_t c, std::int64_t i) -> float& {
    return t.data[static_cast<std::size_t>(transposed ? i * ch + c : c * a + i)];
  };
  for (std::int64_t i = 0; i < a; ++i) {
    at(0, i) = uniform(rng, 0, input);
    at(1, i) = uniform(rng, 0, input);
    at(2, i) = uniform(rng, 4, 100);
    at(3, i) = uniform(rng, 4, 100);
    for (int c = 0; c < nc; ++c) at(4 + c, i) = background_score(rng);
    if (const float v = near_miss(rng); v > 0) at(4 + static_cast<std::int64_t>(rng() % nc), i) = v;
  }
  std::vector<std::int64_t> used;
  for (const TruthBox& b : boxes) {
    std::int64_t i;
    do i = static_cast<std::int64_t>(rng() % a);
    while (std::find(used.begin(), used.end(), i) != used.end());
    used.push_back(i);
    at(0, i) = (b.x1 + b.x2) / 2;
    at(1, i) = (b.y1 + b.y2) / 2;
    at(2, i) = b.x2 - b.x1;
    at(3, i) = b.y2 - b.y1;
    at(4 + b.class_id, i) = b.score;
  }
  m.outputs.push_back(t);
  m.layout.family = YoloFamily::kYolov8Combined;
  m.layout.transposed = transposed;
  m.layout.num_classes = nc;
  m.layout.input_width = m.layout.input_height = input;
  return m;
}

SynthModel make_end_to_end(const std::vector<TruthBox>& boxes, int rows) {
  SynthModel m;
  FloatTensor t;
  t.name = "output0";
  t.dims = {1, rows, 6};
  t.data.assign(static_cast<std::size_t>(rows) * 6, 0.0f);
  for (std::size_t i = 0; i < boxes.size() && static_cast<int>(i) < rows; ++i) {
    float* r = &t.data[i * 6];
    r[0] = boxes[i].x1;
    r[1] = boxes[i].y1;
    r[2] = boxes[i].x2;
    r[3] = boxes[i].y2;
    r[4] = boxes[i].score;
    r[5] = static_cast<float>(boxes[i].class_id);
  }
  m.outputs.push_back(t);
  m.layout.family = YoloFamily::kEndToEnd;
  return m;
}

EncodedTensor encode_float(const FloatTensor& t) {
  EncodedTensor e;
  e.info.name = t.name;
  e.info.dims = t.dims;
  e.info.dtype = DType::kFloat32;
  e.info.layout = t.dims.size() == 4 ? TensorLayout::kNCHW : TensorLayout::kFlat;
  e.bytes.resize(t.data.size() * 4);
  std::memcpy(e.bytes.data(), t.data.data(), e.bytes.size());
  e.info.size_bytes = e.bytes.size();
  return e;
}

namespace {

QuantParams choose_quant(const std::vector<float>& data) {
  float lo = 0, hi = 0;
  for (float v : data) lo = std::min(lo, v), hi = std::max(hi, v);
  QuantParams q;
  q.quantized = true;
  q.scale = (hi - lo) / 255.0f;
  if (!(q.scale > 0)) q.scale = 1.0f / 255.0f;
  q.zero_point = static_cast<std::int32_t>(std::clamp<long>(std::lround(-128.0f - lo / q.scale), -128, 127));
  return q;
}

std::uint8_t quant_byte(float v, const QuantParams& q) {
  const long r = std::lround(v / q.scale) + q.zero_point;
  return static_cast<std::uint8_t>(static_cast<std::int8_t>(std::clamp<long>(r, -128, 127)));
}

}  // namespace

EncodedTensor encode_int8(const FloatTensor& t) {
  EncodedTensor e;
  e.info.name = t.name;
  e.info.dims = t.dims;
  e.info.dtype = DType::kInt8;
  e.info.layout = t.dims.size() == 4 ? TensorLayout::kNCHW : TensorLayout::kFlat;
  e.info.quant = choose_quant(t.data);
  e.bytes.resize(t.data.size());
  for (std::size_t i = 0; i < t.data.size(); ++i) e.bytes[i] = quant_byte(t.data[i], e.info.quant);
  e.info.size_bytes = e.bytes.size();
  return e;
}

EncodedTensor encode_int8_nc1hwc2(const FloatTensor& t, int c2, int w_stride) {
  EncodedTensor e;
  e.info.name = t.name;
  e.info.dims = t.dims;
  e.info.dtype = DType::kInt8;
  e.info.layout = TensorLayout::kNC1HWC2;
  e.info.c2 = c2;
  e.info.quant = choose_quant(t.data);
  const std::int64_t C = t.dims[1], H = t.dims[2], W = t.dims[3];
  const std::int64_t pitch = w_stride > 0 ? w_stride : W;
  e.info.w_stride = static_cast<int>(pitch);
  const std::int64_t c1 = (C + c2 - 1) / c2;
  e.bytes.resize(static_cast<std::size_t>(c1 * H * pitch * c2));
  for (std::size_t i = 0; i < e.bytes.size(); ++i) e.bytes[i] = static_cast<std::uint8_t>(0x7F - (i % 7));  // garbage
  for (std::int64_t c = 0; c < C; ++c)
    for (std::int64_t y = 0; y < H; ++y)
      for (std::int64_t x = 0; x < W; ++x)
        e.bytes[static_cast<std::size_t>(((c / c2) * H * pitch + y * pitch + x) * c2 + c % c2)] =
            quant_byte(t.data[static_cast<std::size_t>((c * H + y) * W + x)], e.info.quant);
  e.info.size_bytes = e.bytes.size();
  return e;
}

EncodedTensor encode_int8_strided(const FloatTensor& t, int w_stride) {
  EncodedTensor e;
  e.info.name = t.name;
  e.info.dims = t.dims;
  e.info.dtype = DType::kInt8;
  e.info.layout = TensorLayout::kNCHW;
  e.info.w_stride = w_stride;
  e.info.quant = choose_quant(t.data);
  const std::int64_t C = t.dims[1], H = t.dims[2], W = t.dims[3];
  e.bytes.assign(static_cast<std::size_t>(C * H * w_stride), 0x7E);
  for (std::int64_t c = 0; c < C; ++c)
    for (std::int64_t y = 0; y < H; ++y)
      for (std::int64_t x = 0; x < W; ++x)
        e.bytes[static_cast<std::size_t>((c * H + y) * w_stride + x)] =
            quant_byte(t.data[static_cast<std::size_t>((c * H + y) * W + x)], e.info.quant);
  e.info.size_bytes = e.bytes.size();
  return e;
}

}  // namespace rkyolo::test
