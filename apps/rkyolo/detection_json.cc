#include "rkyolo/detection_json.h"

#include <string>

#include "rkyolo/output_util.h"

namespace rkyolo::cli {

Json detection_json(const Detection& d) {
  Json j;
  j["class_id"] = d.class_id;
  j["label"] = std::string(d.label);
  j["score"] = round_to(d.score, 5);
  j["box"] = {round_to(d.box.x1, 2), round_to(d.box.y1, 2), round_to(d.box.x2, 2), round_to(d.box.y2, 2)};
  return j;
}

Json detections_json(const std::vector<Detection>& detections) {
  Json list = Json::array();
  for (const Detection& d : detections) list.push_back(detection_json(d));
  return list;
}

}  // namespace rkyolo::cli
