#include "core/metadata.h"

#include <algorithm>
#include <cmath>

#include "core/limits.h"
#include "core/py_literal.h"

namespace rkyolo::core {

namespace {

Status key_error(const std::string& key, MessageId why, std::vector<MessageArg> args = {}) {
  return invalid_model(MessageId::kMetadataBad, {{"key", key}, {"why", Message(why, std::move(args))}});
}

// A whole number in [lo, hi], checked before any conversion (a huge or
// non-finite double converted to int is undefined behaviour).
bool int_in_range(const PyValue& v, std::int64_t lo, std::int64_t hi, int* out) {
  if (!v.is_number()) return false;
  const double d = v.number();
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != std::floor(d)) return false;
  *out = static_cast<int>(d);
  return true;
}

Status read_int_pair(const PyValue& v, const std::string& key, int* w, int* h) {
  if (v.is_number()) {
    if (!int_in_range(v, 1, kMaxInputSide, w))
      return key_error(key, MessageId::kMetadataNotSize, {{"max", kMaxInputSide}});
    *h = *w;
    return Status();
  }
  if (v.kind == PyValue::Kind::kList && v.items.size() == 2 && v.items[0].is_number() && v.items[1].is_number()) {
    // Ultralytics imgsz is [h, w]
    if (!int_in_range(v.items[0], 1, kMaxInputSide, h) || !int_in_range(v.items[1], 1, kMaxInputSide, w))
      return key_error(key, MessageId::kMetadataNotSize, {{"max", kMaxInputSide}});
    return Status();
  }
  return key_error(key, MessageId::kMetadataNotNumberOrPair);
}

bool is_power_of_two(int v) {
  return v > 0 && (v & (v - 1)) == 0;
}

// `stride`: Ultralytics stores the largest stride only (a power of two; the
// usual P3-P5 set s/4, s/2, s follows); others list every stride.
Status read_strides(const PyValue& v, const std::string& key, std::vector<int>* out) {
  if (v.is_number()) {
    int s = 0;
    if (!int_in_range(v, 4, kMaxStride, &s) || !is_power_of_two(s))
      return key_error(key, MessageId::kMetadataStrideNotPowerOfTwo, {{"max", kMaxStride}});
    *out = {s / 4, s / 2, s};
    return Status();
  }
  if (v.kind != PyValue::Kind::kList) return key_error(key, MessageId::kMetadataNotNumberOrList);
  if (v.items.empty() || v.items.size() > kMaxHeads)
    return key_error(key, MessageId::kMetadataStrideCount, {{"count", v.items.size()}, {"max", kMaxHeads}});
  for (const PyValue& item : v.items) {
    int s = 0;
    if (!int_in_range(item, 1, kMaxStride, &s))
      return key_error(key, MessageId::kMetadataStrideEntry, {{"max", kMaxStride}});
    out->push_back(s);
  }
  return Status();
}

// `names`: a list, or a dict of class id -> name with ids 0..n-1.
Status read_names(const PyValue& v, const std::string& key, std::vector<std::string>* out) {
  const std::size_t count = v.kind == PyValue::Kind::kList ? v.items.size() : v.entries.size();
  if (count > static_cast<std::size_t>(kMaxClasses))
    return key_error(key, MessageId::kMetadataTooManyClasses, {{"count", count}, {"max", kMaxClasses}});
  if (v.kind == PyValue::Kind::kList) {
    for (const PyValue& item : v.items) {
      if (item.kind != PyValue::Kind::kString) return key_error(key, MessageId::kMetadataNonStringEntry);
      out->push_back(item.s);
    }
    return Status();
  }
  if (v.kind != PyValue::Kind::kDict) return key_error(key, MessageId::kMetadataNotListOrDict);
  std::vector<std::pair<std::int64_t, std::string>> pairs;
  for (const auto& [k, val] : v.entries) {
    std::int64_t id;
    if (k.kind == PyValue::Kind::kInt) {
      id = k.i;
    } else if (k.kind == PyValue::Kind::kString && !k.s.empty() && std::all_of(k.s.begin(), k.s.end(), [](char c) {
                 return std::isdigit(static_cast<unsigned char>(c));
               })) {
      id = std::strtoll(k.s.c_str(), nullptr, 10);  // JSON keys are strings (saturates, then fails the check below)
    } else {
      return key_error(key, MessageId::kMetadataNonIntegerClassId);
    }
    if (val.kind != PyValue::Kind::kString) return key_error(key, MessageId::kMetadataNonStringClassName);
    pairs.emplace_back(id, val.s);
  }
  std::sort(pairs.begin(), pairs.end());
  for (std::size_t i = 0; i < pairs.size(); ++i)
    if (pairs[i].first != static_cast<std::int64_t>(i))
      return key_error(key, MessageId::kMetadataClassIdsNotDense, {{"last", pairs.size() - 1}});
  for (auto& p : pairs) out->push_back(std::move(p.second));
  return Status();
}

// One anchor size in pixels: finite, positive, at most the largest input.
bool anchor_value(const PyValue& v, float* out) {
  if (!v.is_number() || !(v.number() > 0 && v.number() <= static_cast<double>(kMaxInputSide))) return false;
  *out = static_cast<float>(v.number());
  return true;
}

// `anchors`: [[10,13, 16,30, 33,23], [...], [...]] or [[[10,13],[16,30],...], ...]
Status read_anchors(const PyValue& v, const std::string& key, std::vector<std::vector<std::pair<float, float>>>* out) {
  if (v.kind != PyValue::Kind::kList) return key_error(key, MessageId::kMetadataNotList);
  if (v.items.size() > kMaxHeads) return key_error(key, MessageId::kMetadataTooManyLevels, {{"max", kMaxHeads}});
  for (const PyValue& level : v.items) {
    if (level.kind != PyValue::Kind::kList) return key_error(key, MessageId::kMetadataNonListLevel);
    std::vector<float> flat;
    auto push = [&](const PyValue& value) {
      float f = 0;
      if (!anchor_value(value, &f)) return false;
      flat.push_back(f);
      return true;
    };
    for (const PyValue& a : level.items) {
      const bool pair = a.kind == PyValue::Kind::kList && a.items.size() == 2;
      if (!a.is_number() && !pair) return key_error(key, MessageId::kMetadataMalformedAnchor);
      if (!(pair ? push(a.items[0]) && push(a.items[1]) : push(a)))
        return key_error(key, MessageId::kMetadataAnchorValue, {{"max", kMaxInputSide}});
    }
    if (flat.empty() || flat.size() % 2 != 0 || flat.size() > 2 * kMaxAnchorsPerHead)
      return key_error(key, MessageId::kMetadataAnchorsPerLevel, {{"max", kMaxAnchorsPerHead}});
    std::vector<std::pair<float, float>> pairs;
    for (std::size_t i = 0; i < flat.size(); i += 2) pairs.emplace_back(flat[i], flat[i + 1]);
    out->push_back(std::move(pairs));
  }
  return Status();
}

}  // namespace

Status parse_model_metadata(const std::map<std::string, std::string>& props, ModelMetadata* out) {
  *out = ModelMetadata{};
  for (const auto& [key, text] : props) {
    if (key != "names" && key != "stride" && key != "imgsz" && key != "task" && key != "end2end" && key != "nc" &&
        key != "anchors")
      continue;
    if (text.size() > kMaxMetadataValueBytes)
      return key_error(key, MessageId::kMetadataValueTooLong, {{"size", text.size()}, {"max", kMaxMetadataValueBytes}});
    PyValue v;
    Status st = parse_py_literal(text, &v);
    if (!st.ok()) {
      if (key == "task") {  // a bare word is fine for task
        out->task = text;
        continue;
      }
      return key_error(key, MessageId::kMetadataUnparsable, {{"cause", st.detail()}});
    }
    if (key == "names") {
      RKYOLO_RETURN_IF_ERROR(read_names(v, key, &out->names));
    } else if (key == "stride") {
      RKYOLO_RETURN_IF_ERROR(read_strides(v, key, &out->strides));
    } else if (key == "imgsz") {
      RKYOLO_RETURN_IF_ERROR(read_int_pair(v, key, &out->imgsz_w, &out->imgsz_h));
    } else if (key == "task") {
      out->task = v.kind == PyValue::Kind::kString ? v.s : text;
    } else if (key == "end2end") {
      if (v.kind == PyValue::Kind::kBool)
        out->end2end = v.b;
      else if (v.is_number())
        out->end2end = v.number() != 0;
      else
        return key_error(key, MessageId::kMetadataNotBoolean);
    } else if (key == "nc") {
      if (v.kind != PyValue::Kind::kInt || v.i <= 0 || v.i > kMaxClasses)
        return key_error(key, MessageId::kMetadataNotClassCount, {{"max", kMaxClasses}});
      out->num_classes = static_cast<int>(v.i);
    } else if (key == "anchors") {
      RKYOLO_RETURN_IF_ERROR(read_anchors(v, key, &out->anchors));
    }
  }
  return Status();
}

}  // namespace rkyolo::core
