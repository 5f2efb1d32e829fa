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
// half-written file, and a failure leaves no temporary behind.
Status write_text_atomically(const std::string& path, const std::string& text);
// Creates `dir` (and parents); an existing non-directory is an error.
Status ensure_directory(const std::string& dir);

}  // namespace rkyolo::cli
