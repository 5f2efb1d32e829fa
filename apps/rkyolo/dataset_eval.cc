#include "rkyolo/dataset_eval.h"

#include <cmath>
#include <cstdio>

#include "rkyolo/i18n.h"
#include "rkyolo/image_io.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"
#include "rkyolo/plots.h"

namespace rkyolo::cli {

namespace {

constexpr int kMaxLabelProblemsShown = 10;

// An AP for people: "-" when undefined.
std::string ap_text(double v) {
  return v == kUndefinedAp ? "-" : fixed(v, 3);
}
// An AP for machines: null when undefined.
OrderedJson ap_json(double v) {
  return v == kUndefinedAp ? OrderedJson(nullptr) : OrderedJson(round_to(v, 6));
}

OrderedJson image_id_json(const CocoImageId& id) {
  return id.is_number ? OrderedJson(id.number) : OrderedJson(id.text);
}

}  // namespace

std::vector<OptionSpec> eval_option_specs() {
  return {{"--data", true, ""},          {"--split", true, ""}, {"--plots", true, ""},
          {"--list-outliers", true, ""}, {"--json", true, ""},  {"--count-conf", true, ""}};
}

Status eval_command_options_from(const Args& args, EvalCommandOptions* o) {
  *o = EvalCommandOptions{};
  o->verbose = args.has("--verbose");
  if (!args.has("--data")) return invalid_argument(trf(Msg::kMissingOption, "--data"));
  o->data_path = args.get("--data");
  o->split = args.get("--split", "val");
  if (o->split != "val" && o->split != "test" && o->split != "train")
    return invalid_argument(trf(Msg::kBadValue, o->split, "--split", "expected val, test or train"));
  if (args.has("--count-conf")) {
    float c;
    RKYOLO_RETURN_IF_ERROR(parse_float("--count-conf", args.get("--count-conf"), 0, 1, &c));
    o->count_conf = round_to(c, 6);  // 0.25f -> 0.25
  }
  if (args.has("--list-outliers"))
    RKYOLO_RETURN_IF_ERROR(parse_int("--list-outliers", args.get("--list-outliers"), 0, 1000000, &o->outliers));
  o->json_path = args.get("--json");
  if (!o->json_path.empty()) RKYOLO_RETURN_IF_ERROR(check_output_file(o->json_path));
  o->plots_dir = args.get("--plots");
  if (!o->plots_dir.empty()) RKYOLO_RETURN_IF_ERROR(ensure_directory(o->plots_dir));
  return Status();
}

Status load_split(const EvalCommandOptions& options, SplitData* out) {
  *out = SplitData{};
  RKYOLO_RETURN_IF_ERROR(load_dataset(options.data_path, options.split, &out->dataset));
  const Dataset& ds = out->dataset;
  const int nc = static_cast<int>(ds.names.size());
  int problems = 0, missing = 0, duplicates = 0, labels = 0;
  std::string missing_example, duplicate_example, id_clash_a, id_clash_b;
  int id_clashes = 0;
  out->labels.reserve(ds.images.size());
  for (std::size_t i = 0; i < ds.images.size(); ++i) {
    const std::string label_path = label_path_for(ds.images[i]);
    LabelFile lf = read_label_file(label_path, nc);
    for (const std::string& p : lf.problems)
      if (problems++ < kMaxLabelProblemsShown) print_warning(p);
    if (lf.missing && missing++ == 0) missing_example = label_path;
    if (lf.duplicates_removed > 0 && duplicates == 0) duplicate_example = label_path;
    duplicates += lf.duplicates_removed;
    labels += static_cast<int>(lf.labels.size());
    out->labels.push_back(std::move(lf));

    const CocoImageId id = image_id_for(ds.images[i]);
    out->ids.push_back(id);
    const auto [it, inserted] = out->image_of_id.emplace(image_id_key(id), static_cast<int>(i));
    if (!inserted && id_clashes++ == 0) {
      id_clash_a = ds.images[static_cast<std::size_t>(it->second)];
      id_clash_b = ds.images[i];
    }
    if (id.is_number)
      out->image_of_id.emplace(std::string("$").append(id.text), static_cast<int>(i));  // "000042" as a string
  }
  out->label_problems = problems;
  for (const std::string& folder : ds.unreadable_folders) print_warning(folder);
  if (problems > kMaxLabelProblemsShown)
    print_warning(trf(Msg::kLabelMoreProblems, std::to_string(problems - kMaxLabelProblemsShown)));
  if (duplicates > 0) print_warning(trf(Msg::kLabelDuplicates, std::to_string(duplicates), duplicate_example));
  if (missing > 0)
    print_warning(trf(Msg::kLabelsMissing, std::to_string(missing), std::to_string(ds.images.size()), missing_example));
  if (id_clashes > 0) print_warning(trf(Msg::kDuplicateImageIds, std::to_string(id_clashes), id_clash_a, id_clash_b));
  std::fprintf(stderr, "%s\n",
               trf(Msg::kDatasetSummary, ds.split, std::to_string(ds.images.size()), std::to_string(labels),
                   std::to_string(nc), ds.yaml_path)
                   .c_str());
  return Status();
}

PredictedBox prediction_from(const Detection& d) {
  PredictedBox p;
  p.class_id = d.class_id;
  p.score = round_to(d.score, 5);
  p.box = CocoBox{round_to(d.box.x1, 3), round_to(d.box.y1, 3), round_to(static_cast<double>(d.box.x2) - d.box.x1, 3),
                  round_to(static_cast<double>(d.box.y2) - d.box.y1, 3)};
  return p;
}

std::string predictions_json(const SplitData& split, const std::vector<int>& image_index,
                             const std::vector<EvalImage>& images) {
  std::string out = "[";
  bool first = true;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const OrderedJson id = image_id_json(split.ids[static_cast<std::size_t>(image_index[i])]);
    for (const PredictedBox& p : images[i].predictions) {
      OrderedJson e;
      e["image_id"] = id;
      e["category_id"] = p.class_id;
      e["bbox"] = {p.box.x, p.box.y, p.box.w, p.box.h};
      e["score"] = p.score;
      out += first ? "\n" : ",\n";
      out += e.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
      first = false;
    }
  }
  out += first ? "]\n" : "\n]\n";
  return out;
}

Status read_predictions(const std::string& path, const SplitData& split,
                        std::vector<std::vector<PredictedBox>>* per_image) {
  per_image->assign(split.dataset.images.size(), {});
  std::string text;
  const Status s = read_input_file(path, kMaxTextFileBytes, &text);
  if (s.code() == StatusCode::kNotFound) return not_found(trf(Msg::kPredsNotFound, path));
  if (!s.ok()) return Status(s.code(), trf(Msg::kPredsRead, path, localized(s)));
  return parse_predictions(text, path, split, per_image);
}

Status parse_predictions(std::string_view text, const std::string& path, const SplitData& split,
                         std::vector<std::vector<PredictedBox>>* per_image) {
  per_image->assign(split.dataset.images.size(), {});
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    const std::string prefix = "parse error ";
    const std::size_t at = what.find(prefix);
    if (at != std::string::npos) what = what.substr(at + prefix.size());
    return invalid_argument(trf(Msg::kPredsJson, path, what));
  }
  if (!j.is_array()) return invalid_argument(trf(Msg::kPredsNotArray, path));
  const int nc = static_cast<int>(split.dataset.names.size());
  long long unknown_images = 0, bad_classes = 0;
  std::string unknown_example, class_example;
  for (std::size_t k = 0; k < j.size(); ++k) {
    const nlohmann::json& e = j[k];
    const std::string entry = std::to_string(k);
    auto bad = [&](const char* field, Msg type) {
      return invalid_argument(trf(Msg::kPredsBadEntry, path, entry, trf(Msg::kPredsBadField, field, tr(type))));
    };
    if (!e.is_object()) return invalid_argument(trf(Msg::kPredsBadEntry, path, entry, tr(Msg::kPredsNotObject)));
    auto integral = [](const nlohmann::json& v, long long* out) {
      if (v.is_number_integer()) {
        *out = v.get<long long>();
        return true;
      }
      if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
          *out = static_cast<long long>(d);
          return true;
        }
      }
      return false;
    };
    std::string key;
    const auto id = e.find("image_id");
    long long id_number;
    if (id != e.end() && integral(*id, &id_number))
      key = std::string("#").append(std::to_string(id_number));
    else if (id != e.end() && id->is_string())
      key = std::string("$").append(id->get<std::string>());
    else
      return bad("image_id", Msg::kPredsTypeImageId);
    const auto cat = e.find("category_id");
    long long cls;
    if (cat == e.end() || !integral(*cat, &cls)) return bad("category_id", Msg::kPredsTypeCategory);
    const auto bbox = e.find("bbox");
    if (bbox == e.end() || !bbox->is_array() || bbox->size() != 4) return bad("bbox", Msg::kPredsTypeBbox);
    double v[4];
    for (int i = 0; i < 4; ++i) {
      if (!(*bbox)[static_cast<std::size_t>(i)].is_number()) return bad("bbox", Msg::kPredsTypeBbox);
      v[i] = (*bbox)[static_cast<std::size_t>(i)].get<double>();
      if (!std::isfinite(v[i])) return bad("bbox", Msg::kPredsTypeBbox);
    }
    if (v[2] < 0 || v[3] < 0) return bad("bbox", Msg::kPredsTypeBbox);
    const auto score = e.find("score");
    if (score == e.end() || !score->is_number() || !std::isfinite(score->get<double>()))
      return bad("score", Msg::kPredsTypeScore);
    const auto image = split.image_of_id.find(key);
    if (image == split.image_of_id.end()) {
      if (unknown_images++ == 0) unknown_example = id->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      continue;
    }
    if (cls < 0 || cls >= nc) {
      if (bad_classes++ == 0) class_example = std::to_string(cls);
      continue;
    }
    PredictedBox p;
    p.class_id = static_cast<int>(cls);
    p.score = score->get<double>();
    p.box = CocoBox{v[0], v[1], v[2], v[3]};
    (*per_image)[static_cast<std::size_t>(image->second)].push_back(p);
  }
  if (unknown_images > 0 && unknown_images == static_cast<long long>(j.size()))
    return invalid_argument(
        trf(Msg::kPredsNoneMatch, std::to_string(j.size()), path, split.dataset.split, unknown_example));
  if (unknown_images > 0)
    print_warning(trf(Msg::kPredsUnknownImages, std::to_string(unknown_images), split.dataset.split, unknown_example));
  if (bad_classes > 0)
    print_warning(trf(Msg::kPredsBadClass, std::to_string(bad_classes), std::to_string(nc - 1), class_example));
  return Status();
}

namespace {

void print_table(const EvalReport& r, const std::vector<std::string>& names) {
  std::fprintf(stderr, "%22s%11s%11s%11s%11s%11s%11s\n", "Class", "Images", "Instances", "P", "R", "mAP50", "mAP50-95");
  std::fprintf(stderr, "%22s%11d%11d%11s%11s%11s%11s\n", "all", r.num_images, r.num_labels,
               fixed(r.precision, 3).c_str(), fixed(r.recall, 3).c_str(), ap_text(r.map50).c_str(),
               ap_text(r.map50_95).c_str());
  for (std::size_t c = 0; c < r.classes.size(); ++c) {
    const ClassEval& ce = r.classes[c];
    if (ce.instances == 0) continue;  // no AP; its predictions are false positives of the others
    std::string name = names[c];
    if (name.size() > 21) name = name.substr(0, 20) + "~";
    std::fprintf(stderr, "%22s%11d%11d%11s%11s%11s%11s\n", name.c_str(), ce.images, ce.instances,
                 fixed(ce.precision, 3).c_str(), fixed(ce.recall, 3).c_str(), ap_text(ce.ap50).c_str(),
                 ap_text(ce.ap50_95).c_str());
  }
}

void print_summary(const EvalReport& r, const SplitData& split, const std::vector<int>& image_index) {
  std::fprintf(stderr, "%s\n",
               trf(Msg::kReportMaps, ap_text(r.map50_95), ap_text(r.map50), ap_text(r.map75), ap_text(r.map_small),
                   ap_text(r.map_medium), ap_text(r.map_large))
                   .c_str());
  std::fprintf(stderr, "%s\n",
               trf(Msg::kReportMars, ap_text(r.mar1), ap_text(r.mar10), ap_text(r.mar100), ap_text(r.mar_small),
                   ap_text(r.mar_medium), ap_text(r.mar_large))
                   .c_str());
  std::fprintf(
      stderr, "%s\n",
      trf(Msg::kReportPr, fixed(r.precision, 3), fixed(r.recall, 3), fixed(r.f1_conf, 3), fixed(r.f1, 3)).c_str());
  const CountingEval& c = r.counting;
  std::fprintf(stderr, "%s\n",
               trf(Msg::kReportCounting, fixed(c.count_conf, 2), c.r2 ? fixed(*c.r2, 3) : "-", fixed(c.mae, 2),
                   fixed(c.mean_error, 2), std::to_string(c.labels), std::to_string(c.counted))
                   .c_str());
  const std::vector<std::string>& paths = split.dataset.images;
  auto path_of = [&](int i) { return paths[static_cast<std::size_t>(image_index[static_cast<std::size_t>(i)])]; };
  if (!r.worst_count_images.empty() || !r.worst_ap_images.empty()) {
    std::fprintf(stderr, "%s\n", trf(Msg::kOutliersCount, fixed(c.count_conf, 2)).c_str());
    if (r.worst_count_images.empty()) std::fprintf(stderr, "  %s\n", tr(Msg::kOutliersNone));
    for (int i : r.worst_count_images) {
      const ImageEval& ie = r.images[static_cast<std::size_t>(i)];
      const int e = ie.count_error();
      std::fprintf(stderr, "  %s\n",
                   trf(Msg::kOutlierCountLine, path_of(i), std::to_string(ie.labels), std::to_string(ie.counted),
                       std::string(e > 0 ? "+" : "").append(std::to_string(e)))
                       .c_str());
    }
    std::fprintf(stderr, "%s\n", tr(Msg::kOutliersAp));
    if (r.worst_ap_images.empty()) std::fprintf(stderr, "  %s\n", tr(Msg::kOutliersNone));
    for (int i : r.worst_ap_images) {
      const ImageEval& ie = r.images[static_cast<std::size_t>(i)];
      std::fprintf(stderr, "  %s\n",
                   trf(Msg::kOutlierApLine, path_of(i), fixed(ie.ap50, 3), std::to_string(ie.labels),
                       std::to_string(ie.predictions))
                       .c_str());
    }
  }
}

OrderedJson report_json(const EvalCommandOptions& options, const SplitData& split, const std::vector<int>& image_index,
                        const EvalReport& r, const OrderedJson& extra) {
  const std::vector<std::string>& names = split.dataset.names;
  const std::vector<std::string>& paths = split.dataset.images;
  OrderedJson j;
  j["dataset"] = split.dataset.yaml_path;
  j["split"] = split.dataset.split;
  j["images"] = r.num_images;
  j["labels"] = r.num_labels;
  j["predictions"] = r.num_predictions;
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  j["metrics"] = {{"map50_95", ap_json(r.map50_95)},
                  {"map50", ap_json(r.map50)},
                  {"map75", ap_json(r.map75)},
                  {"map_small", ap_json(r.map_small)},
                  {"map_medium", ap_json(r.map_medium)},
                  {"map_large", ap_json(r.map_large)},
                  {"mar1", ap_json(r.mar1)},
                  {"mar10", ap_json(r.mar10)},
                  {"mar100", ap_json(r.mar100)},
                  {"mar_small", ap_json(r.mar_small)},
                  {"mar_medium", ap_json(r.mar_medium)},
                  {"mar_large", ap_json(r.mar_large)},
                  {"precision", round_to(r.precision, 6)},
                  {"recall", round_to(r.recall, 6)},
                  {"f1", round_to(r.f1, 6)},
                  {"f1_conf", round_to(r.f1_conf, 6)}};
  OrderedJson classes = OrderedJson::array();
  for (std::size_t c = 0; c < r.classes.size(); ++c) {
    const ClassEval& ce = r.classes[c];
    OrderedJson curve = OrderedJson::array();
    if (ce.instances > 0)
      for (double p : ce.pr_curve) curve.push_back(round_to(p, 6));
    classes.push_back({{"id", c},
                       {"name", names[c]},
                       {"images", ce.images},
                       {"instances", ce.instances},
                       {"predictions", ce.predictions},
                       {"precision", round_to(ce.precision, 6)},
                       {"recall", round_to(ce.recall, 6)},
                       {"ap50", ap_json(ce.ap50)},
                       {"ap75", ap_json(ce.ap75)},
                       {"ap50_95", ap_json(ce.ap50_95)},
                       {"ap_small", ap_json(ce.ap_small)},
                       {"ap_medium", ap_json(ce.ap_medium)},
                       {"ap_large", ap_json(ce.ap_large)},
                       {"pr_curve", curve}});
  }
  j["classes"] = classes;
  OrderedJson mean_curve = OrderedJson::array();
  if (r.mean_pr_curve[0] != kUndefinedAp)
    for (double p : r.mean_pr_curve) mean_curve.push_back(round_to(p, 6));
  j["pr_curve_recall"] = "0, 0.01, ..., 1 (101 points), IoU 0.5";
  j["mean_pr_curve"] = mean_curve;
  const CountingEval& c = r.counting;
  j["counting"] = {{"count_conf", c.count_conf}, {"labels", c.labels},
                   {"counted", c.counted},       {"r2", c.r2 ? OrderedJson(round_to(*c.r2, 6)) : OrderedJson(nullptr)},
                   {"mae", round_to(c.mae, 6)},  {"mean_error", round_to(c.mean_error, 6)}};
  auto image_json = [&](int i) {
    const ImageEval& ie = r.images[static_cast<std::size_t>(i)];
    const std::size_t d = static_cast<std::size_t>(image_index[static_cast<std::size_t>(i)]);
    return OrderedJson{{"image", paths[d]},       {"image_id", image_id_json(split.ids[d])},
                       {"labels", ie.labels},     {"predictions", ie.predictions},
                       {"counted", ie.counted},   {"count_error", ie.count_error()},
                       {"ap50", ap_json(ie.ap50)}};
  };
  OrderedJson worst_count = OrderedJson::array(), worst_ap = OrderedJson::array();
  for (int i : r.worst_count_images) worst_count.push_back(image_json(i));
  for (int i : r.worst_ap_images) worst_ap.push_back(image_json(i));
  j["outliers"] = {{"requested", options.outliers}, {"largest_count_error", worst_count}, {"lowest_ap50", worst_ap}};
  OrderedJson labels = OrderedJson::array();
  for (const std::string& n : names) labels.push_back(n);
  labels.push_back("background");
  j["confusion_matrix"] = {{"conf", c.count_conf},         {"iou", 0.45},      {"rows", "true class"},
                           {"columns", "predicted class"}, {"labels", labels}, {"counts", r.confusion}};
  OrderedJson per_image = OrderedJson::array();
  for (int i = 0; i < static_cast<int>(r.images.size()); ++i) per_image.push_back(image_json(i));
  j["per_image"] = per_image;
  return j;
}

// Writes --json (when asked); false when it could not be (already reported).
bool write_report_json(const EvalCommandOptions& options, const OrderedJson& j) {
  if (options.json_path.empty()) return true;
  const Status w =
      write_text_atomically(options.json_path, j.dump(1, ' ', false, OrderedJson::error_handler_t::replace) + "\n");
  if (!w.ok()) {
    print_error(localized(w));
    return false;
  }
  if (options.verbose) std::fprintf(stderr, "%s\n", trf(Msg::kJsonWritten, options.json_path).c_str());
  return true;
}

// --plots; false when a chart could not be written (already reported). The
// confusion matrices of very many classes would be images of gigabytes: they
// are left out with a warning (their counts are in --json).
bool save_plots(const std::string& dir, const EvalReport& report, const std::vector<std::string>& names) {
  Status p = save_pr_curves(dir + "/pr_curve.png", report, names);
  if (p.ok() && names.size() > static_cast<std::size_t>(kMaxConfusionPlotClasses)) {
    print_warning(
        trf(Msg::kPlotTooManyClasses, std::to_string(names.size()), std::to_string(kMaxConfusionPlotClasses)));
  } else if (p.ok()) {
    p = save_confusion_matrix(dir + "/confusion_matrix.png", report, names, false);
    if (p.ok()) p = save_confusion_matrix(dir + "/confusion_matrix_normalized.png", report, names, true);
  }
  if (!p.ok()) {
    print_error(localized(p));
    return false;
  }
  std::fprintf(stderr, "%s\n", trf(Msg::kPlotsSaved, dir).c_str());
  return true;
}

}  // namespace

bool report_evaluation(const EvalCommandOptions& options, const SplitData& split, const std::vector<int>& image_index,
                       std::vector<EvalImage> images, const OrderedJson& extra) {
  // COCOeval ranks ties across images in image-id order.
  for (std::size_t i = 0; i < images.size(); ++i) images[i].id = split.ids[static_cast<std::size_t>(image_index[i])];
  if (images.empty()) {
    print_error(tr(Msg::kEvalNoImages));
    OrderedJson j = {{"dataset", split.dataset.yaml_path}, {"split", split.dataset.split}, {"images", 0}};
    for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
    j["metrics"] = nullptr;
    j["error"] = tr(Msg::kEvalNoImages);
    write_report_json(options, j);
    return false;
  }
  EvalOptions eo;
  eo.num_classes = static_cast<int>(split.dataset.names.size());
  eo.count_conf = options.count_conf;
  eo.outliers = options.outliers;
  EvalReport report;
  const Status s = evaluate_detections(images, eo, &report);
  if (!s.ok()) {
    print_error(localized(s));
    return false;
  }
  print_table(report, split.dataset.names);
  print_summary(report, split, image_index);
  bool ok = write_report_json(options, report_json(options, split, image_index, report, extra));
  if (!options.plots_dir.empty() && !save_plots(options.plots_dir, report, split.dataset.names)) ok = false;
  return ok;
}

}  // namespace rkyolo::cli
