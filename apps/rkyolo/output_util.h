// rkyolo CLI: small helpers every command uses to write results.
#pragma once

#include <string>

#include "rkyolo/status.h"

namespace rkyolo::cli {

// Rounds to `decimals` places; dividing by an exact power of ten gives the
// double nearest the decimal, so JSON shows 0.82339, not 0.8233900000000001.
double round_to(double v, int decimals);
// printf("%.*f").
std::string fixed(double v, int decimals);
// Writes through a temporary file and a rename: a reader never sees a
// half-written file, and a failure leaves no temporary behind. A symbolic
// link is followed (the file it names is replaced, not the link); devices and
// pipes (/dev/stdout) are written in place.
Status write_text_atomically(const std::string& path, const std::string& text);
// Whether two paths name the same file (existing or not).
bool same_file(const std::string& a, const std::string& b);
// Checked before any work: an output file option (`option`, e.g. "--json")
// must not name a directory and its folder must exist.
Status check_output_file(const std::string& option, const std::string& path);
// Creates `dir` (and parents); an existing non-directory is an error.
Status ensure_directory(const std::string& dir);

}  // namespace rkyolo::cli
