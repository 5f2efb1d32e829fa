// rkyolo CLI: user-facing messages in English and Simplified Chinese.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rkyolo::cli {

enum class Lang { kEn, kZh };

// Language from LC_ALL / LC_MESSAGES / LANG ("zh*" -> Chinese).
Lang language_from_locale();
void set_language(Lang lang);
Lang language();
bool parse_language(std::string_view text, Lang* out);

enum class Msg {
  kUsage,
  kUsageDetect,
  kUsageInfo,
  kUsageVal,
  kUsageEval,
  kErrorPrefix,
  kWarningPrefix,
  kUnknownCommand,
  kUnknownOption,
  kMissingValue,
  kBadValue,
  kMissingOption,
  kUnexpectedArgument,
  kCannotLoadModel,
  kNoSources,
  kSourceNotFound,
  kImageFailed,
  kImageEmpty,
  kImageNotImage,
  kImageTruncated,
  kImageCorrupt,
  kImageTooLarge,
  kDetectFailed,
  kWriteFailed,
  kImageLine,
  kNoDetections,
  kSpeed,
  kSummaryOk,
  kSummaryFailed,
  kSavedTo,
  kJsonWritten,
  kBackendChosen,
  kLayoutDetected,
  kLabelsFile,
  kNotADirectory,
};

// The message in the current language; "{}" marks arguments.
const char* tr(Msg id);

// Replaces successive "{}" in `pattern` with `args`.
std::string format(std::string_view pattern, const std::vector<std::string>& args);

template <typename... Args>
std::string trf(Msg id, const Args&... args) {
  return format(tr(id), std::vector<std::string>{std::string(args)...});
}

}  // namespace rkyolo::cli
