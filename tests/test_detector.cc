// A Model and its Sessions end to end with a fake backend whose outputs
// encode known boxes: letterbox mapping back to source pixels, labels,
// errors, and no memory allocation per frame once warm.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

#include "core/letterbox.h"
#include "rkyolo/model.h"
#include "support/counting_allocator.h"
#include "support/yolo_synth.h"

namespace rkyolo {
namespace {

// What the test steers and observes, shared by a backend and its clones.
struct FakeControl {
  bool fail_next = false;
  std::uint8_t* last_input = nullptr;  // input buffer of the backend that ran last
};

class FakeBackend final : public Backend {
 public:
  FakeBackend(const InputCaps& in, std::vector<test::EncodedTensor> outs, std::map<std::string, std::string> meta,
              std::shared_ptr<FakeControl> control = std::make_shared<FakeControl>())
      : control_(std::move(control)), outs_(std::move(outs)) {
    caps_.name = "fake";
    caps_.input = in;
    input_.assign(in.size_bytes, 0);
    info_.path = "fake.onnx";
    info_.metadata = std::move(meta);
    for (const auto& o : outs_) info_.outputs.push_back(o.info);
    for (std::size_t i = 0; i < outs_.size(); ++i)
      views_.push_back(TensorView{outs_[i].bytes.data(), &info_.outputs[i]});
  }
  const BackendCaps& caps() const override { return caps_; }
  const ModelInfo& model_info() const override { return info_; }
  std::uint8_t* input_buffer() override { return input_.data(); }
  Status run() override {
    control_->last_input = input_.data();
    if (control_->fail_next) {
      control_->fail_next = false;
      return backend_error("injected failure");
    }
    return Status();
  }
  const std::vector<TensorView>& outputs() const override { return views_; }
  std::vector<Placement> placements() const override { return {Placement{}}; }
  Status clone(const Placement&, std::unique_ptr<Backend>* out) const override {
    out->reset(new FakeBackend(caps_.input, outs_, info_.metadata, control_));
    return Status();
  }
  RuntimeInfo runtime_info() const override {
    RuntimeInfo r;
    r.backend = "fake";
    return r;
  }
  const std::shared_ptr<FakeControl>& control() const { return control_; }

 private:
  std::shared_ptr<FakeControl> control_;
  std::vector<std::uint8_t> input_;
  BackendCaps caps_;
  ModelInfo info_;
  std::vector<test::EncodedTensor> outs_;
  std::vector<TensorView> views_;
};

InputCaps nchw_caps() {
  InputCaps in;
  in.width = in.height = 640;
  in.size_bytes = 640 * 640 * 3 * 4;
  in.row_stride_pixels = 640;
  return in;
}

struct Fixture {
  std::vector<test::TruthBox> truth;  // model-input pixels
  std::shared_ptr<const Model> model;
  std::unique_ptr<Session> detector;
  std::shared_ptr<FakeControl> backend;
};

// Boxes placed inside the content area of a 1280x720 frame letterboxed to 640.
Fixture make_fixture(DetectorOptions opts, std::map<std::string, std::string> meta, bool int8 = false) {
  Fixture f;
  std::mt19937 rng(21);
  for (const auto& b : test::random_boxes(rng, 40, 3, 640, 12, 120))
    if (b.y1 > 145 && b.y2 < 495) f.truth.push_back(b);
  const test::SynthModel m = test::make_yolov8_split(f.truth, 3, 640, true, rng, int8);
  std::vector<test::EncodedTensor> enc;
  for (const auto& t : m.outputs) enc.push_back(int8 ? test::encode_int8_nc1hwc2(t, 16) : test::encode_float(t));
  auto backend = std::make_unique<FakeBackend>(nchw_caps(), enc, meta);
  f.backend = backend->control();
  opts.model_path = "fake.onnx";
  Status s = Model::load(opts, std::move(backend), &f.model);
  if (s.ok()) s = f.model->create_session(&f.detector);
  EXPECT_TRUE(s.ok()) << s;
  return f;
}

std::vector<std::uint8_t> frame(int w, int h) {
  return std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3, 90);
}

TEST(Session, MapsBoxesBackThroughTheLetterbox) {
  Fixture f = make_fixture(DetectorOptions{}, {{"names", "{0: 'circle', 1: 'square', 2: 'star'}"}});
  ASSERT_TRUE(f.detector);
  ASSERT_GE(f.truth.size(), 3u);
  const auto pixels = frame(1280, 720);
  DetectionResult r;
  ASSERT_TRUE(f.detector->detect(make_image_view(pixels.data(), 1280, 720), &r).ok());
  EXPECT_EQ(r.image_width, 1280);
  EXPECT_EQ(r.image_height, 720);
  ASSERT_EQ(r.detections.size(), f.truth.size());
  for (const auto& t : f.truth) {
    // 1280x720 -> 640x360, gain 0.5, pad top 140.
    const Box expected{t.x1 * 2, (t.y1 - 140) * 2, t.x2 * 2, (t.y2 - 140) * 2};
    bool found = false;
    for (const auto& d : r.detections)
      if (iou(d.box, expected) > 0.999f) {
        found = true;
        EXPECT_EQ(d.class_id, t.class_id);
        const char* const names[] = {"circle", "square", "star"};
        EXPECT_EQ(d.label, names[t.class_id]);
        EXPECT_NEAR(d.score, t.score, 1e-5f);
      }
    EXPECT_TRUE(found) << "missing " << expected;
  }
  for (std::size_t i = 1; i < r.detections.size(); ++i) EXPECT_GE(r.detections[i - 1].score, r.detections[i].score);
  EXPECT_GE(r.timing.preprocess_ms, 0.0);
  // The letterbox wrote the padding value into the backend's input (pixel/255).
  float first;
  ASSERT_NE(f.backend->last_input, nullptr);
  std::memcpy(&first, f.backend->last_input, 4);
  EXPECT_FLOAT_EQ(first, 114.0f / 255.0f);
}

TEST(Session, LabelsFromOptionsThenMetadataThenClassN) {
  DetectorOptions o;
  o.labels = {"a", "b"};  // one short: the third class falls back
  Fixture f = make_fixture(o, {{"names", "{0: 'x', 1: 'y', 2: 'z'}"}});
  EXPECT_EQ(f.model->labels(), (std::vector<std::string>{"a", "b", "class 2"}));
  Fixture g = make_fixture(DetectorOptions{}, {});
  EXPECT_EQ(g.model->labels(), (std::vector<std::string>{"class 0", "class 1", "class 2"}));
}

TEST(Session, NoAllocationPerFrameOnceWarm) {
  for (bool int8 : {false, true}) {
    Fixture f = make_fixture(DetectorOptions{}, {}, int8);
    const auto pixels = frame(1280, 720);
    const ImageView img = make_image_view(pixels.data(), 1280, 720);
    DetectionResult r;
    ASSERT_TRUE(f.detector->detect(img, &r).ok());  // warm-up: sizes the caches
    long allocations;
    {
      test::AllocationCounter counter;
      for (int i = 0; i < 20; ++i) f.detector->detect(img, &r).ignore();
      allocations = counter.count();
    }
    EXPECT_EQ(allocations, 0) << (int8 ? "int8" : "float") << ": allocations in 20 warm frames";
    EXPECT_EQ(r.detections.size(), f.truth.size());
  }
}

TEST(Session, ThresholdsClassFilterAndMaxDet) {
  DetectorOptions o;
  o.classes = {1};
  Fixture f = make_fixture(o, {});
  const auto pixels = frame(1280, 720);
  DetectionResult r;
  ASSERT_TRUE(f.detector->detect(make_image_view(pixels.data(), 1280, 720), &r).ok());
  for (const auto& d : r.detections) EXPECT_EQ(d.class_id, 1);
  ASSERT_TRUE(f.detector->set_thresholds(0.25f, 0.45f, 2).ok());
  ASSERT_TRUE(f.detector->detect(make_image_view(pixels.data(), 1280, 720), &r).ok());
  EXPECT_LE(r.detections.size(), 2u);
  ASSERT_TRUE(f.detector->set_thresholds(0.99f, 0.45f, 300).ok());
  ASSERT_TRUE(f.detector->detect(make_image_view(pixels.data(), 1280, 720), &r).ok());
  EXPECT_TRUE(r.detections.empty());
  EXPECT_EQ(f.detector->set_thresholds(-0.1f, 0.45f, 300).code(), StatusCode::kInvalidArgument);
}

TEST(Session, ErrorsAreClear) {
  DetectorOptions o;
  o.classes = {7};
  std::mt19937 rng(1);
  std::vector<test::TruthBox> none;
  const test::SynthModel m = test::make_yolov8_split(none, 3, 640, true, rng, false);
  std::vector<test::EncodedTensor> enc;
  for (const auto& t : m.outputs) enc.push_back(test::encode_float(t));
  std::shared_ptr<const Model> d;
  Status s = Model::load(o, std::make_unique<FakeBackend>(nchw_caps(), enc, std::map<std::string, std::string>{}), &d);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("class 7 is out of range for a model with 3 classes"), std::string::npos) << s;

  o = DetectorOptions{};
  o.iou_threshold = 2;
  EXPECT_EQ(validate(o).code(), StatusCode::kInvalidArgument);
  o = DetectorOptions{};
  o.max_det = -1;
  EXPECT_EQ(validate(o).code(), StatusCode::kInvalidArgument);

  // A model whose outputs are not YOLO: the message names the model and shapes.
  test::FloatTensor odd;
  odd.name = "logits";
  odd.dims = {1, 1000};
  odd.data.assign(1000, 0.0f);
  s = Model::load(DetectorOptions{},
                  std::make_unique<FakeBackend>(nchw_caps(), std::vector<test::EncodedTensor>{test::encode_float(odd)},
                                                std::map<std::string, std::string>{}),
                  &d);
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("model 'fake.onnx'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("logits (1, 1000)"), std::string::npos) << s;
}

TEST(Session, BackendFailureIsPerImageAndRecoverable) {
  Fixture f = make_fixture(DetectorOptions{}, {});
  const auto pixels = frame(640, 640);
  DetectionResult r;
  f.backend->fail_next = true;
  const Status s = f.detector->detect(make_image_view(pixels.data(), 640, 640), &r);
  EXPECT_EQ(s.code(), StatusCode::kBackendError);
  EXPECT_TRUE(f.detector->detect(make_image_view(pixels.data(), 640, 640), &r).ok());
  EXPECT_EQ(r.detections.size(), f.truth.size());
  EXPECT_EQ(f.detector->detect(ImageView{}, &r).code(), StatusCode::kInvalidImage);
}

TEST(Session, SessionsShareTheModel) {
  Fixture f = make_fixture(DetectorOptions{}, {{"names", "['a', 'b', 'c']"}});
  std::unique_ptr<Session> c;
  ASSERT_TRUE(f.model->create_session(&c).ok());
  EXPECT_EQ(&c->model(), f.model.get());
  const auto pixels = frame(1280, 720);
  DetectionResult r1, r2;
  ASSERT_TRUE(f.detector->detect(make_image_view(pixels.data(), 1280, 720), &r1).ok());
  ASSERT_TRUE(c->detect(make_image_view(pixels.data(), 1280, 720), &r2).ok());
  ASSERT_EQ(r1.detections.size(), r2.detections.size());
  for (std::size_t i = 0; i < r1.detections.size(); ++i) {
    EXPECT_EQ(r1.detections[i].box.x1, r2.detections[i].box.x1);
    // Both point into the Model's one label table.
    EXPECT_EQ(r1.detections[i].label.data(), r2.detections[i].label.data());
    EXPECT_EQ(r1.detections[i].label.data(), f.model->labels()[r1.detections[i].class_id].data());
  }
  // Thresholds are per session.
  ASSERT_TRUE(c->set_thresholds(0.99f, 0.45f, 300).ok());
  ASSERT_TRUE(c->detect(make_image_view(pixels.data(), 1280, 720), &r2).ok());
  ASSERT_TRUE(f.detector->detect(make_image_view(pixels.data(), 1280, 720), &r1).ok());
  EXPECT_TRUE(r2.detections.empty());
  EXPECT_EQ(r1.detections.size(), f.truth.size());
}

}  // namespace
}  // namespace rkyolo
