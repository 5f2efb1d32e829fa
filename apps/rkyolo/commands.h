// rkyolo CLI: the commands and their exit codes.
#pragma once

namespace rkyolo::cli {

constexpr int kExitOk = 0;
constexpr int kExitInputFailed = 1;  // some inputs could not be processed; the others were
constexpr int kExitUsage = 2;        // bad options, or the model/runtime cannot be used

int cmd_detect(int argc, char** argv, int first);
int cmd_track(int argc, char** argv, int first);
int cmd_info(int argc, char** argv, int first);
int cmd_val(int argc, char** argv, int first);
int cmd_eval(int argc, char** argv, int first);
int cmd_export(int argc, char** argv, int first);

// Library log level (warnings by default, info with -v) and OpenCV's own
// logging (silent unless verbose).
void configure_logging(bool verbose);

}  // namespace rkyolo::cli
