// libFuzzer harness: a COCO results (predictions) file on arbitrary bytes,
// against a small split. Accepted predictions always have a known image and
// class, a finite score and a finite box with a non-negative size.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rkyolo/dataset_eval.h"

namespace {

rkyolo::cli::SplitData make_split() {
  rkyolo::cli::SplitData split;
  split.dataset.split = "val";
  split.dataset.names = {"a", "b", "c"};
  split.dataset.images = {"images/000001.jpg", "images/42.jpg", "images/scene.png"};
  for (std::size_t i = 0; i < split.dataset.images.size(); ++i) {
    const rkyolo::CocoImageId id = rkyolo::cli::image_id_for(split.dataset.images[i]);
    split.ids.push_back(id);
    split.image_of_id.emplace(rkyolo::cli::image_id_key(id), static_cast<int>(i));
    if (id.is_number) split.image_of_id.emplace("$" + id.text, static_cast<int>(i));
  }
  split.labels.resize(split.dataset.images.size());
  return split;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const rkyolo::cli::SplitData split = make_split();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::vector<rkyolo::PredictedBox>> per_image;
  if (!rkyolo::cli::parse_predictions(text, "fuzz.json", split, &per_image).ok()) return 0;
  if (per_image.size() != split.dataset.images.size()) std::abort();
  for (const auto& image : per_image)
    for (const auto& p : image) {
      const bool ok = p.class_id >= 0 && p.class_id < 3 && std::isfinite(p.score) && std::isfinite(p.box.x) &&
                      std::isfinite(p.box.y) && std::isfinite(p.box.w) && std::isfinite(p.box.h) && p.box.w >= 0 &&
                      p.box.h >= 0;
      if (!ok) std::abort();
    }
  return 0;
}
