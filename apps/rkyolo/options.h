// rkyolo CLI: typed option values and the options shared by commands.
#pragma once

#include <string>
#include <vector>

#include "rkyolo/cli_args.h"
#include "rkyolo/detector_options.h"
#include "rkyolo/i18n.h"
#include "rkyolo/model.h"

namespace rkyolo::cli {

Status parse_float(const std::string& option, const std::string& text, float lo, float hi, float* out);
Status parse_int(const std::string& option, const std::string& text, int lo, int hi, int* out);
Status parse_class_list(const std::string& option, const std::string& text, std::vector<int>* out);
Status parse_anchors(const std::string& option, const std::string& text, LayoutHints* hints);

// The typed backend options, each bad value one sentence naming its option.
Status cpu_options_from(const Args& args, CpuOptions* out);
Status rknn_options_from(const Args& args, RknnOptions* out);

// Options every model-using command accepts.
std::vector<OptionSpec> model_option_specs();
// Fills model, backend, labels, anchors and backend parameters. `default_conf`
// etc. are the command's defaults (detect 0.25/0.45, val 0.001/0.7).
Status detector_options_from(const Args& args, float default_conf, float default_iou, DetectorOptions* out);

// Loads the model and opens one session at its first placement; with
// `verbose`, says which backend, runtime, placement and layout on stderr.
// A failure is one sentence ("cannot use the model: ...").
Status open_session(const DetectorOptions& options, bool verbose, std::unique_ptr<Session>* out);

// "--lang" handling common to all commands; returns false on a bad value.
Status apply_language(const Args& args);

// The start every command shares: parses `specs`, applies --lang, prints a
// bad option (exit code 2) or the `usage` text for --help (exit code 0), and
// sets up logging for -v. Returns false, with *exit_code set, when the
// command is done already.
bool start_command(const char* name, int argc, char** argv, int first, const std::vector<OptionSpec>& specs, Msg usage,
                   Args* args, int* exit_code);

// Prints "error: <message>" (translated prefix) to stderr.
void print_error(const std::string& message);
void print_warning(const std::string& message);

}  // namespace rkyolo::cli
