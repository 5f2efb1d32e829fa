// End-to-end decoding (YOLOv10, YOLO26, Ultralytics nms=True): (1, K, 6)
// rows of x1, y1, x2, y2, score, class; zero-padded; no NMS needed.
#include <cmath>

#include "core/decode.h"
#include "core/decode_internal.h"

namespace rkyolo::core {

using detail::Elem;
using detail::Gate;

Status Decoder::decode_e2e(const std::vector<TensorView>& outputs, std::vector<Candidate>* out) {
  const OutputState& s = state_[layout_.combined_output];
  const TensorAccess& a = s.access;
  const Gate gate = detail::make_gate(a, options_.conf_threshold);
  auto run = [&]<typename T>() -> Status {
    const T* data = static_cast<const T*>(outputs[layout_.combined_output].data);
    for (std::int64_t r = 0; r < a.rows; ++r) {
      const T* row = data + r * a.cols;
      if (!gate.pass(row[4])) continue;
      const float score = Elem<T>::deq(row[4], a.quant);
      if (!(score > 0.0f)) continue;  // zero padding rows
      const float cls = Elem<T>::deq(row[5], a.quant);
      if (!(cls > -0.5f && cls < static_cast<float>(layout_.num_classes))) continue;  // NaN too, before lround
      const long c = std::lround(cls);
      if (c >= layout_.num_classes || !class_allowed_[c]) continue;
      push_xyxy(out, Elem<T>::deq(row[0], a.quant), Elem<T>::deq(row[1], a.quant), Elem<T>::deq(row[2], a.quant),
                Elem<T>::deq(row[3], a.quant), score, static_cast<int>(c));
    }
    return Status();
  };
  return detail::dispatch_dtype(a.dtype, run);
}

}  // namespace rkyolo::core
