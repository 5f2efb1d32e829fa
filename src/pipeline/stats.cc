// Pipeline statistics as text: status names and the JSON of --stats.
#include <cmath>
#include <cstdio>

#include "rkyolo/pipeline.h"

namespace rkyolo::pipeline {

std::string_view stream_status_name(StreamStatus status) {
  switch (status) {
    case StreamStatus::kStarting: return "starting";
    case StreamStatus::kOnline: return "online";
    case StreamStatus::kReconnecting: return "reconnecting";
    case StreamStatus::kEnded: return "ended";
    case StreamStatus::kFailed: return "failed";
  }
  return "unknown";
}

namespace {

void append_escaped(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char code[8];
          std::snprintf(code, sizeof(code), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += code;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  out += text;
}

void append_field(std::string& out, std::string_view name, double value) {
  append_escaped(out, name);
  out += ':';
  append_number(out, value);
  out += ',';
}

void append_field(std::string& out, std::string_view name, std::int64_t value) {
  append_escaped(out, name);
  out += ':';
  out += std::to_string(value);
  out += ',';
}

void append_latency(std::string& out, std::string_view name, const Latency& latency) {
  append_escaped(out, name);
  out += ":{";
  append_field(out, "count", latency.count);
  append_field(out, "p50", latency.p50_ms);
  append_field(out, "p99", latency.p99_ms);
  append_field(out, "max", latency.max_ms);
  out.back() = '}';
}

}  // namespace

std::string stats_json(const PipelineStats& stats) {
  std::string out = "{";
  append_field(out, "wall_s", stats.wall_s);
  append_field(out, "cpu_s", stats.cpu_s);
  out += "\"streams\":[";
  for (const StreamStats& s : stats.streams) {
    out += '{';
    append_field(out, "stream", static_cast<std::int64_t>(s.stream));
    out += "\"source\":";
    append_escaped(out, s.source);
    out += ",\"status\":";
    append_escaped(out, stream_status_name(s.status));
    out += ',';
    append_field(out, "decoded", s.decoded);
    append_field(out, "processed", s.processed);
    append_field(out, "dropped", s.dropped);
    append_field(out, "dropped_in_source", s.dropped_in_source);
    append_field(out, "skipped", s.skipped);
    append_field(out, "failed", s.failed);
    append_field(out, "reconnects", s.reconnects);
    append_field(out, "fps_in", s.fps_in);
    append_field(out, "fps_out", s.fps_out);
    append_latency(out, "age_ms", s.age);
    out += ',';
    append_latency(out, "inference_ms", s.inference);
    out += ",\"window\":{";
    const StreamWindow& w = s.window;
    append_field(out, "duration_s", w.duration_s);
    append_field(out, "decoded", w.decoded);
    append_field(out, "processed", w.processed);
    append_field(out, "dropped", w.dropped);
    append_field(out, "failed", w.failed);
    append_field(out, "fps_in", w.fps_in);
    append_field(out, "fps_out", w.fps_out);
    append_latency(out, "age_ms", w.age);
    out += ',';
    append_latency(out, "inference_ms", w.inference);
    out += "}},";
  }
  if (out.back() == ',') out.pop_back();
  out += "],\"workers\":[";
  for (const WorkerStats& w : stats.workers) {
    out += "{\"placement\":";
    append_escaped(out, w.placement);
    out += ',';
    append_field(out, "frames", w.frames);
    append_field(out, "busy_fraction", w.busy_fraction);
    append_latency(out, "inference_ms", w.inference);
    out += "},";
  }
  if (out.back() == ',') out.pop_back();
  out += "]}";
  return out;
}

}  // namespace rkyolo::pipeline
