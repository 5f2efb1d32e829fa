// rkyolo: small text inputs users write: label files and per-channel values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo::core {

// Names from a labels file: one name per line, blank lines and trailing
// spaces ignored.
Status read_labels_file(const std::string& path, std::vector<std::string>* names);

// Per-channel values as users type them (mean/std): "a" (all three channels)
// or "a,b,c", finite floats only. False, and `out` unspecified, otherwise.
bool parse_channel_triplet(std::string_view text, float out[3]);

}  // namespace rkyolo::core
