// rkyolo CLI: small helpers every command uses to write results.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo::cli {

// Rounds to `decimals` places; dividing by an exact power of ten gives the
// double nearest the decimal, so JSON shows 0.82339, not 0.8233900000000001.
double round_to(double v, int decimals);
// printf("%.*f").
std::string fixed(double v, int decimals);
// The output file name that means standard output.
inline constexpr const char* kStandardOutput = "-";

// Writes through a temporary file and a rename: a reader never sees a
// half-written file, and a failure leaves no temporary behind. A symbolic
// link is followed (the file it names is replaced, not the link); devices and
// pipes are written in place; "-" and whatever standard output is (such as
// /dev/stdout) are written through standard output. Failures give errno's
// cause (no space left, permission denied, read-only file system).
Status write_text_atomically(const std::string& path, const std::string& text);
// Encodes `image` in the format its extension names (`params` as for
// cv::imwrite) and writes it like write_text_atomically, so a failure says
// why (a full disk, a read-only folder) instead of "the encoder failed".
Status write_image(const std::string& path, const cv::Mat& image, const std::vector<int>& params = {});
// Whether two paths name the same file (existing or not).
bool same_file(const std::string& a, const std::string& b);
// Checked before any work: an output file must not name a directory, and its
// folder must exist and take new files (a probe file is created and removed).
// "-" and devices pass.
Status check_output_file(const std::string& path);
// Creates `dir` (and parents) and checks that it takes new files; an
// existing non-directory is an error.
Status ensure_directory(const std::string& dir);

}  // namespace rkyolo::cli
