#include "postprocess_scene.h"

#include <random>

namespace rkyolo::bench {

PostprocessScene make_postprocess_scene(bool native, bool with_sum) {
  PostprocessScene s;
  std::mt19937 rng(2024);
  std::vector<test::TruthBox> truth = test::random_boxes(rng, 12, 80, 640, 12, 400);
  const test::SynthModel m = test::make_yolov8_split(truth, 80, 640, with_sum, rng, true);
  s.layout = m.layout;
  for (const auto& t : m.outputs) s.tensors.push_back(native ? test::encode_int8_nc1hwc2(t, 16) : test::encode_int8(t));
  for (const auto& t : s.tensors) s.infos.push_back(t.info);
  for (std::size_t i = 0; i < s.tensors.size(); ++i)
    s.views.push_back(TensorView{s.tensors[i].bytes.data(), &s.infos[i]});
  return s;
}

}  // namespace rkyolo::bench
