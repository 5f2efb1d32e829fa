// rkyolo: command-line entry point.
#include <cstdio>
#include <cstring>
#include <new>
#include <opencv2/core/utils/logger.hpp>
#include <string>

#include "rkyolo/commands.h"
#include "rkyolo/i18n.h"
#include "rkyolo/options.h"

#ifndef RKYOLO_VERSION
#define RKYOLO_VERSION "0.1.0"
#endif

int main(int argc, char** argv) {
  using namespace rkyolo::cli;
  set_language(language_from_locale());
  configure_logging(false);
  int i = 1;
  // Global options before the command.
  while (i < argc && std::strncmp(argv[i], "--lang", 6) == 0) {
    std::string value;
    if (std::strcmp(argv[i], "--lang") == 0) {
      if (i + 1 >= argc) {
        print_error(trf(Msg::kMissingValue, "--lang"));
        return kExitUsage;
      }
      value = argv[i + 1];
      i += 2;
    } else if (std::strncmp(argv[i], "--lang=", 7) == 0) {
      value = argv[i] + 7;
      i += 1;
    } else {
      break;
    }
    Lang lang;
    if (!parse_language(value, &lang)) {
      print_error(trf(Msg::kBadValue, value, "--lang", "expected en or zh"));
      return kExitUsage;
    }
    set_language(lang);
  }
  if (i >= argc) {
    std::fputs(tr(Msg::kUsage), stderr);
    return kExitUsage;
  }
  const std::string command = argv[i];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(tr(Msg::kUsage), stdout);
    return kExitOk;
  }
  if (command == "version" || command == "--version") {
    std::printf("rkyolo %s\n", RKYOLO_VERSION);
    return kExitOk;
  }
  // The command boundary: an allocation nothing bounded (OpenCV's, say) or
  // another exhausted resource (threads) becomes one sentence, not an abort.
  try {
    if (command == "detect") return cmd_detect(argc, argv, i + 1);
    if (command == "track") return cmd_track(argc, argv, i + 1);
    if (command == "info") return cmd_info(argc, argv, i + 1);
    if (command == "val") return cmd_val(argc, argv, i + 1);
    if (command == "eval") return cmd_eval(argc, argv, i + 1);
    if (command == "export") return cmd_export(argc, argv, i + 1);
  } catch (const std::bad_alloc&) {
    print_error(tr(Msg::kOutOfMemory));
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(trf(Msg::kCommandStopped, e.what()));
    return kExitUsage;
  }
  print_error(trf(Msg::kUnknownCommand, command));
  return kExitUsage;
}
