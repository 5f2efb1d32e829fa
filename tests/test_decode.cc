// Round trips: known boxes encoded into head tensors of every layout (float
// and int8, NCHW, NC1HWC2 with padded channels, w_stride rows), decoded back
// through layout detection + the optimized decoder + NMS. And the optimized
// decoder against the naive reference on the same tensors.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/decode.h"
#include "core/nms.h"
#include "support/yolo_synth.h"

namespace rkyolo::core {
namespace {

using test::EncodedTensor;
using test::SynthModel;
using test::TruthBox;

// Named tolerances.
constexpr float kFloatMinIou = 0.999f;  // float tensors: essentially exact
constexpr float kInt8MinIou = 0.97f;    // int8 coordinates carry quantization error
constexpr float kFloatScoreError = 1e-5f;
constexpr float kRefBoxError = 1e-3f;  // optimized vs reference decoder, pixels
constexpr float kRefScoreError = 1e-6f;

enum class Encoding { kFloat, kInt8, kInt8Native16, kInt8Native8, kInt8Strided };

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kFloat: return "float32";
    case Encoding::kInt8: return "int8 NCHW";
    case Encoding::kInt8Native16: return "int8 NC1HWC2 C2=16";
    case Encoding::kInt8Native8: return "int8 NC1HWC2 C2=8 + w_stride";
    case Encoding::kInt8Strided: return "int8 NCHW w_stride";
  }
  return "?";
}

std::vector<EncodedTensor> encode(const SynthModel& m, Encoding e) {
  std::vector<EncodedTensor> out;
  for (const auto& t : m.outputs) {
    switch (e) {
      case Encoding::kFloat: out.push_back(test::encode_float(t)); break;
      case Encoding::kInt8: out.push_back(test::encode_int8(t)); break;
      case Encoding::kInt8Native16: out.push_back(test::encode_int8_nc1hwc2(t, 16)); break;
      case Encoding::kInt8Native8:
        out.push_back(test::encode_int8_nc1hwc2(t, 8, static_cast<int>(t.dims[3]) + 3));
        break;
      case Encoding::kInt8Strided: out.push_back(test::encode_int8_strided(t, static_cast<int>(t.dims[3]) + 5)); break;
    }
  }
  return out;
}

struct Decoded {
  YoloLayout layout;
  std::vector<Candidate> candidates;  // optimized
  std::vector<Candidate> reference;
  std::vector<int> keep;  // after NMS
};

Decoded decode_all(const std::vector<EncodedTensor>& enc, int input, const DecodeOptions& opt,
                   std::map<std::string, std::string> meta = {}) {
  Decoded d;
  std::vector<TensorInfo> infos;
  std::vector<TensorView> views;
  for (const auto& e : enc) infos.push_back(e.info);
  for (std::size_t i = 0; i < enc.size(); ++i) views.push_back(TensorView{enc[i].bytes.data(), &infos[i]});
  const Status st = detect_layout(infos, input, input, meta, LayoutHints{}, &d.layout);
  EXPECT_TRUE(st.ok()) << st;
  if (!st.ok()) return d;
  Decoder dec;
  EXPECT_TRUE(dec.configure(d.layout, infos).ok());
  EXPECT_TRUE(dec.set_options(opt).ok());
  const Status ds = dec.decode(views, &d.candidates);
  EXPECT_TRUE(ds.ok()) << ds;
  EXPECT_LE(d.candidates.size(), dec.max_candidates());
  EXPECT_TRUE(decode_ref(d.layout, views, opt, &d.reference).ok());
  Nms nms;
  std::vector<Candidate> c = d.candidates;
  nms.run(c, NmsOptions{0.45f, false, 300, 30000}, &d.keep);
  d.candidates = c;
  return d;
}

void expect_matches_reference(const Decoded& d, const std::string& what) {
  ASSERT_EQ(d.candidates.size(), d.reference.size()) << what;
  for (std::size_t i = 0; i < d.reference.size(); ++i) {
    const Candidate& a = d.candidates[i];
    const Candidate& b = d.reference[i];
    EXPECT_EQ(a.class_id, b.class_id) << what << " #" << i;
    EXPECT_NEAR(a.score, b.score, kRefScoreError) << what << " #" << i;
    EXPECT_NEAR(a.box.x1, b.box.x1, kRefBoxError) << what << " #" << i;
    EXPECT_NEAR(a.box.y1, b.box.y1, kRefBoxError) << what << " #" << i;
    EXPECT_NEAR(a.box.x2, b.box.x2, kRefBoxError) << what << " #" << i;
    EXPECT_NEAR(a.box.y2, b.box.y2, kRefBoxError) << what << " #" << i;
  }
}

void expect_round_trip(const Decoded& d, const std::vector<TruthBox>& truth, bool quantized, const std::string& what) {
  ASSERT_EQ(d.keep.size(), truth.size()) << what << ": wrong number of detections";
  for (const TruthBox& t : truth) {
    const Box tb{t.x1, t.y1, t.x2, t.y2};
    float best = 0;
    const Candidate* match = nullptr;
    for (int k : d.keep) {
      const float v = iou(tb, d.candidates[k].box);
      if (v > best) best = v, match = &d.candidates[k];
    }
    ASSERT_NE(match, nullptr) << what;
    EXPECT_GT(best, quantized ? kInt8MinIou : kFloatMinIou) << what << " box " << tb << " got " << match->box;
    EXPECT_EQ(match->class_id, t.class_id) << what;
    EXPECT_NEAR(match->score, t.score, quantized ? 0.01f : kFloatScoreError) << what;
  }
}

// A YOLOv8 split layout with one stride-8 head: outputs box (0), cls (1) and
// score_sum (2, when with_sum).
YoloLayout one_head_layout(int h, int w, int nc, bool with_sum) {
  YoloLayout layout;
  layout.family = YoloFamily::kYolov8SplitDfl;
  layout.num_classes = nc;
  layout.input_width = 8 * w;
  layout.input_height = 8 * h;
  HeadBinding head;
  head.stride = 8;
  head.grid_h = h;
  head.grid_w = w;
  head.box_output = 0;
  head.class_output = 1;
  head.sum_output = with_sum ? 2 : -1;
  layout.heads = {head};
  return layout;
}

class SplitRoundTrip : public ::testing::TestWithParam<Encoding> {};

TEST_P(SplitRoundTrip, Yolov8SplitWithAndWithoutScoreSum) {
  const Encoding e = GetParam();
  const bool quantized = e != Encoding::kFloat;
  for (int nc : {1, 6, 80}) {
    for (bool with_sum : {true, false}) {
      std::mt19937 rng(100 + nc);
      std::vector<TruthBox> truth = test::random_boxes(rng, 12, nc, 640, 12, 400);
      const SynthModel m = test::make_yolov8_split(truth, nc, 640, with_sum, rng, quantized);
      const std::string what =
          std::string("v8 split nc=") + std::to_string(nc) + (with_sum ? " +sum " : " ") + encoding_name(e);
      const Decoded d = decode_all(encode(m, e), 640, DecodeOptions{0.25f, {}});
      ASSERT_EQ(d.layout.family, YoloFamily::kYolov8SplitDfl) << what;
      ASSERT_EQ(d.layout.num_classes, nc) << what;
      expect_round_trip(d, truth, quantized, what);
      expect_matches_reference(d, what);
    }
  }
}

TEST_P(SplitRoundTrip, Yolov5Split) {
  const Encoding e = GetParam();
  for (int nc : {1, 80}) {
    std::mt19937 rng(200 + nc);
    const std::vector<TruthBox> truth = test::random_boxes(rng, 10, nc, 640, 12, 400);
    const SynthModel m = test::make_yolov5_split(truth, nc, 640, rng);
    const std::string what = std::string("v5 split nc=") + std::to_string(nc) + " " + encoding_name(e);
    const Decoded d = decode_all(encode(m, e), 640, DecodeOptions{0.25f, {}});
    ASSERT_EQ(d.layout.family, YoloFamily::kYolov5Split) << what;
    expect_round_trip(d, truth, e != Encoding::kFloat, what);
    expect_matches_reference(d, what);
  }
}

INSTANTIATE_TEST_SUITE_P(Encodings, SplitRoundTrip,
                         ::testing::Values(Encoding::kFloat, Encoding::kInt8, Encoding::kInt8Native16,
                                           Encoding::kInt8Native8, Encoding::kInt8Strided),
                         [](const auto& info) {
                           switch (info.param) {
                             case Encoding::kFloat: return std::string("Float");
                             case Encoding::kInt8: return std::string("Int8");
                             case Encoding::kInt8Native16: return std::string("Int8NC1HWC2C16");
                             case Encoding::kInt8Native8: return std::string("Int8NC1HWC2C8Stride");
                             default: return std::string("Int8Stride");
                           }
                         });

TEST(DecodeRoundTrip, Yolov5Combined) {
  std::mt19937 rng(5);
  const std::vector<TruthBox> truth = test::random_boxes(rng, 15, 80, 640);
  const SynthModel m = test::make_yolov5_combined(truth, 80, 640, rng);
  const Decoded d = decode_all(encode(m, Encoding::kFloat), 640, DecodeOptions{0.25f, {}});
  ASSERT_EQ(d.layout.family, YoloFamily::kYolov5Combined);
  expect_round_trip(d, truth, false, "v5 combined");
  expect_matches_reference(d, "v5 combined");
}

TEST(DecodeRoundTrip, Yolov8CombinedBothOrientations) {
  for (bool transposed : {false, true}) {
    std::mt19937 rng(6);
    const std::vector<TruthBox> truth = test::random_boxes(rng, 15, 3, 640);
    const SynthModel m = test::make_yolov8_combined(truth, 3, 640, rng, transposed);
    const Decoded d = decode_all(encode(m, Encoding::kFloat), 640, DecodeOptions{0.25f, {}});
    ASSERT_EQ(d.layout.family, YoloFamily::kYolov8Combined);
    EXPECT_EQ(d.layout.transposed, transposed);
    expect_round_trip(d, truth, false, "v8 combined");
    expect_matches_reference(d, "v8 combined");
  }
}

TEST(DecodeRoundTrip, EndToEnd) {
  std::mt19937 rng(8);
  const std::vector<TruthBox> truth = test::random_boxes(rng, 20, 5, 640);
  const SynthModel m = test::make_end_to_end(truth, 300);
  const Decoded d = decode_all(encode(m, Encoding::kFloat), 640, DecodeOptions{0.25f, {}},
                               {{"names", "['a', 'b', 'c', 'd', 'e']"}, {"end2end", "True"}});
  ASSERT_EQ(d.layout.family, YoloFamily::kEndToEnd);
  expect_round_trip(d, truth, false, "end-to-end");
  expect_matches_reference(d, "end-to-end");
}

// Combined layouts rarely survive int8 (coordinates and scores share one
// scale), but the quantized-domain gates must still agree with the reference.
TEST(DecodeInt8, CombinedLayoutsAgreeWithReference) {
  std::mt19937 rng(9);
  const std::vector<TruthBox> truth = test::random_boxes(rng, 10, 4, 640);
  for (float conf : {0.0f, 0.1f, 0.25f, 0.6f}) {
    const DecodeOptions opt{conf, {}};
    expect_matches_reference(
        decode_all(encode(test::make_yolov5_combined(truth, 4, 640, rng), Encoding::kInt8), 640, opt), "v5c int8");
    expect_matches_reference(
        decode_all(encode(test::make_yolov8_combined(truth, 4, 640, rng, false), Encoding::kInt8), 640, opt),
        "v8c int8");
    expect_matches_reference(
        decode_all(encode(test::make_yolov8_combined(truth, 4, 640, rng, true), Encoding::kInt8), 640, opt),
        "v8t int8");
    expect_matches_reference(decode_all(encode(test::make_end_to_end(truth, 300), Encoding::kInt8), 640, opt,
                                        {{"names", "['a', 'b', 'c', 'd']"}}),
                             "e2e int8");
  }
}

// Random tensors (no structure at all): the optimized quantized-domain path
// must find exactly what the dequantize-everything reference finds, at many
// thresholds, with class filters.
TEST(DecodeInt8, RandomTensorsMatchReferenceAtAllThresholds) {
  std::mt19937 rng(10);
  std::vector<TruthBox> truth = test::random_boxes(rng, 8, 7, 320, 12, 200);
  for (bool with_sum : {true, false}) {
    const SynthModel v8 = test::make_yolov8_split(truth, 7, 320, with_sum, rng, false);
    const SynthModel v5 = test::make_yolov5_split(truth, 7, 320, rng);
    for (Encoding e : {Encoding::kInt8, Encoding::kInt8Native16, Encoding::kFloat})
      for (float conf : {0.001f, 0.05f, 0.25f, 0.5f})
        for (const std::vector<int>& classes : {std::vector<int>{}, std::vector<int>{2, 5}}) {
          const DecodeOptions opt{conf, classes};
          const std::string what = std::string(encoding_name(e)) + " conf " + std::to_string(conf);
          expect_matches_reference(decode_all(encode(v8, e), 320, opt), "v8 " + what);
          expect_matches_reference(decode_all(encode(v5, e), 320, opt), "v5 " + what);
        }
  }
}

// The int8 kernels of the split path (score_sum scan 16 cells at a time,
// best class over C2 = 16 blocks, DFL of 16-bin sides; NEON on aarch64) at
// grid widths around every multiple of 16 and class counts around 16, in
// every int8 layout, against the reference.
TEST(DecodeInt8, SplitKernelsMatchReferenceAtVectorTails) {
  std::mt19937 rng(31);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int w : {1, 15, 16, 17, 31, 32, 33, 47, 48, 49, 639, 640, 641})
    for (int nc : {1, 15, 16, 17, 80})
      for (bool with_sum : {true, false}) {
        const int h = w > 100 ? 2 : 3;
        auto tensor = [&](const std::string& name, int c) {
          test::FloatTensor t;
          t.name = name;
          t.dims = {1, c, h, w};
          t.data.assign(static_cast<std::size_t>(c) * h * w, 0.0f);
          return t;
        };
        test::FloatTensor box = tensor("box", 64), cls = tensor("cls", nc), sum = tensor("sum", 1);
        for (float& v : box.data) v = unit(rng) * 6.0f - 3.0f;
        const std::size_t cells = static_cast<std::size_t>(h) * w;
        for (std::size_t i = 0; i < cells; ++i) {
          const bool object = unit(rng) < 0.3f;  // sparse, like a frame
          float acc = 0;
          for (int c = 0; c < nc; ++c) {
            const float v = object ? unit(rng) : unit(rng) * 0.02f;
            cls.data[c * cells + i] = v;
            acc += v;
          }
          sum.data[i] = std::min(acc, 1.0f);
        }
        const YoloLayout layout = one_head_layout(h, w, nc, with_sum);
        std::vector<test::FloatTensor> outputs = {box, cls};
        if (with_sum) outputs.push_back(sum);
        for (Encoding e : {Encoding::kInt8, Encoding::kInt8Native16, Encoding::kInt8Native8, Encoding::kInt8Strided}) {
          test::SynthModel m;
          m.layout = layout;
          m.outputs = outputs;
          const std::vector<EncodedTensor> enc = encode(m, e);
          std::vector<TensorInfo> infos;
          std::vector<TensorView> views;
          for (const auto& t : enc) infos.push_back(t.info);
          for (std::size_t i = 0; i < enc.size(); ++i) views.push_back(TensorView{enc[i].bytes.data(), &infos[i]});
          Decoder dec;
          ASSERT_TRUE(dec.configure(layout, infos).ok());
          for (float conf : {0.01f, 0.3f, 0.6f, 0.95f}) {
            Decoded d;
            ASSERT_TRUE(dec.set_options(DecodeOptions{conf, {}}).ok());
            ASSERT_TRUE(dec.decode(views, &d.candidates).ok());
            ASSERT_TRUE(decode_ref(layout, views, DecodeOptions{conf, {}}, &d.reference).ok());
            expect_matches_reference(d, std::string(encoding_name(e)) + " w " + std::to_string(w) + " nc " +
                                            std::to_string(nc) + (with_sum ? " sum" : "") + " conf " +
                                            std::to_string(conf));
          }
        }
      }
}

// The NCHW class-plane scan (score_sum survivors 32 cells a block, a running
// maximum over the planes, the first plane holding it): cell counts around
// every multiple of 32, one run per grid (unpadded) or per row (w_stride),
// survivors at the first and last cells and on both sides of block
// boundaries, none, all, and ties in the best class score (the lowest class
// wins, as in the reference). The vector kernel against its plain loops bit
// for bit, and both against the reference.
TEST(DecodeInt8, ClassPlaneScanMatchesReferenceAtBlockBoundaries) {
  constexpr float kBackground = 0.001f;             // far below every gate
  constexpr float kNearMiss = 0.1f;                 // near misses: a score_sum that passes, no class that does
  constexpr float kLevels[3] = {0.2f, 0.6f, 0.9f};  // few levels: ties are frequent
  std::mt19937 rng(15);
  enum Pattern { kNone, kAll, kEdges, kRandom };
  for (const auto& [h, w] : std::vector<std::pair<int, int>>{
           {1, 1}, {1, 31}, {1, 32}, {1, 33}, {2, 16}, {3, 21}, {1, 63}, {1, 64}, {1, 65}, {5, 13}, {3, 80}})
    for (int nc : {1, 7, 8, 9, 80})
      for (Pattern pattern : {kNone, kAll, kEdges, kRandom}) {
        const int n = h * w;
        auto object = [&](int i) {
          switch (pattern) {
            case kNone: return false;
            case kAll: return true;
            case kEdges:
              for (int e : {0, 30, 31, 32, 33, 63, 64, n - 33, n - 32, n - 31, n - 1})
                if (i == e) return true;
              return false;
            case kRandom: return rng() % 3 == 0;
          }
          return false;
        };
        test::FloatTensor box{"box", {1, 64, h, w}, std::vector<float>(64 * static_cast<std::size_t>(n))};
        test::FloatTensor cls{"cls", {1, nc, h, w}, std::vector<float>(static_cast<std::size_t>(nc) * n)};
        test::FloatTensor sum{"sum", {1, 1, h, w}, std::vector<float>(n)};
        for (float& v : box.data) v = static_cast<float>(rng() % 61) / 10.0f - 3.0f;
        for (int i = 0; i < n; ++i) {
          const bool obj = object(i), near = !obj && rng() % 4 == 0;
          float acc = 0;
          for (int c = 0; c < nc; ++c) {
            float& v = cls.data[static_cast<std::size_t>(c) * n + i];
            v = obj ? kLevels[rng() % 3] : near && c % 2 == 0 ? kNearMiss : kBackground;
            acc += v;
          }
          if (obj) {  // the top score 0.9, tied between two classes when they differ
            float& top = cls.data[static_cast<std::size_t>(rng() % nc) * n + i];
            cls.data[static_cast<std::size_t>(rng() % nc) * n + i] = top = kLevels[2];
          }
          sum.data[i] = std::min(acc + 2 * kLevels[2], 1.0f);
          if (!obj && !near) sum.data[i] = kBackground;
        }
        const YoloLayout layout = one_head_layout(h, w, nc, true);
        for (Encoding e : {Encoding::kInt8, Encoding::kInt8Strided, Encoding::kInt8Native16, Encoding::kInt8Native8}) {
          test::SynthModel m;
          m.layout = layout;
          m.outputs = {box, cls, sum};
          const std::vector<EncodedTensor> enc = encode(m, e);
          std::vector<TensorInfo> infos;
          std::vector<TensorView> views;
          for (const auto& t : enc) infos.push_back(t.info);
          for (std::size_t i = 0; i < enc.size(); ++i) views.push_back(TensorView{enc[i].bytes.data(), &infos[i]});
          for (float conf : {0.05f, 0.3f, 0.7f}) {
            const std::string what = std::string(encoding_name(e)) + " " + std::to_string(h) + "x" + std::to_string(w) +
                                     " nc " + std::to_string(nc) + " pattern " + std::to_string(pattern) + " conf " +
                                     std::to_string(conf);
            Decoded d;
            std::vector<Candidate> plain;
            Decoder dec;
            ASSERT_TRUE(dec.configure(layout, infos).ok());
            ASSERT_TRUE(dec.set_options(DecodeOptions{conf, {}}).ok());
            ASSERT_TRUE(dec.decode(views, &d.candidates).ok());
            dec.set_simd_enabled(false);
            ASSERT_TRUE(dec.decode(views, &plain).ok());
            ASSERT_TRUE(decode_ref(layout, views, DecodeOptions{conf, {}}, &d.reference).ok());
            expect_matches_reference(d, what);
            if (pattern == kNone && conf > kNearMiss) EXPECT_TRUE(d.candidates.empty()) << what;
            if (pattern == kAll && conf < kLevels[2])
              EXPECT_EQ(d.candidates.size(), static_cast<std::size_t>(n)) << what;
            ASSERT_EQ(plain.size(), d.candidates.size()) << what;
            for (std::size_t i = 0; i < plain.size(); ++i) {
              EXPECT_EQ(plain[i].class_id, d.candidates[i].class_id) << what << " #" << i;
              EXPECT_EQ(plain[i].score, d.candidates[i].score) << what << " #" << i;
              EXPECT_EQ(plain[i].box.x1, d.candidates[i].box.x1) << what << " #" << i;
              EXPECT_EQ(plain[i].box.y1, d.candidates[i].box.y1) << what << " #" << i;
              EXPECT_EQ(plain[i].box.x2, d.candidates[i].box.x2) << what << " #" << i;
              EXPECT_EQ(plain[i].box.y2, d.candidates[i].box.y2) << what << " #" << i;
            }
          }
        }
      }
}

TEST(Decode, ClassFilter) {
  std::mt19937 rng(12);
  std::vector<TruthBox> truth = test::random_boxes(rng, 12, 4, 640);
  const SynthModel m = test::make_yolov8_split(truth, 4, 640, true, rng, false);
  const Decoded d = decode_all(encode(m, Encoding::kFloat), 640, DecodeOptions{0.25f, {1, 3}});
  std::size_t expected = 0;
  for (const auto& t : truth) expected += (t.class_id == 1 || t.class_id == 3);
  EXPECT_EQ(d.keep.size(), expected);
  for (int k : d.keep) EXPECT_TRUE(d.candidates[k].class_id == 1 || d.candidates[k].class_id == 3);
}

TEST(Decode, ConfigureRejectsBadTensors) {
  YoloLayout l;
  std::vector<TensorInfo> infos(1);
  infos[0].dims = {1, 84, 8400};
  infos[0].dtype = DType::kFloat16;
  ASSERT_TRUE(detect_layout(infos, 640, 640, {}, LayoutHints{}, &l).ok());
  Decoder dec;
  Status s = dec.configure(l, infos);
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("float16"), std::string::npos) << s;
  infos[0].dtype = DType::kInt8;  // int8 without a usable scale
  infos[0].quant.scale = 0.0f;
  EXPECT_EQ(dec.configure(l, infos).code(), StatusCode::kUnsupportedModel);
  infos[0].dtype = DType::kFloat32;
  infos[0].size_bytes = 100;  // buffer too small for the shape
  EXPECT_EQ(dec.configure(l, infos).code(), StatusCode::kUnsupportedModel);
  infos[0].size_bytes = 0;
  ASSERT_TRUE(dec.configure(l, infos).ok());
  EXPECT_EQ(dec.set_options(DecodeOptions{0.25f, {80}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dec.set_options(DecodeOptions{1.5f, {}}).code(), StatusCode::kInvalidArgument);
  std::vector<Candidate> out;
  EXPECT_FALSE(dec.decode({}, &out).ok());  // wrong output count
}

}  // namespace
}  // namespace rkyolo::core
