// rkyolo CLI: user-facing messages in English and Simplified Chinese.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rkyolo/message.h"
#include "rkyolo/status.h"

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
  kOutOfMemory,
  kCommandStopped,
  kRunStopped,
  kNotProcessed,
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
  kImageCorruptOrTooLarge,
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
  // val / eval
  kYamlError,
  kYamlTab,
  kYamlNotMapping,
  kYamlIndent,
  kYamlExpectedKey,
  kYamlUnclosedQuote,
  kYamlTrailing,
  kYamlUnclosedFlow,
  kYamlFlowSyntax,
  kYamlTooDeep,
  kDatasetNotFound,
  kDatasetRead,
  kDatasetBadNc,
  kDatasetNoNames,
  kDatasetBadNames,
  kDatasetNcMismatch,
  kDatasetBadSplitValue,
  kDatasetSplitMissing,
  kDatasetListFile,
  kDatasetNoSplit,
  kDatasetNoImages,
  kDatasetSummary,
  kLabelFileUnreadable,
  kLabelLineSkipped,
  kLabelColumns,
  kLabelNotNumber,
  kLabelClassRange,
  kLabelCoordRange,
  kLabelMoreProblems,
  kLabelDuplicates,
  kLabelsMissing,
  kDuplicateImageIds,
  kIsADirectory,
  kNotRegularFile,
  kFileTooLarge,
  kDatasetTooManyClasses,
  kDatasetNulInPath,
  kDatasetFolderUnreadable,
  kYamlBadEscape,
  kPlotTooManyClasses,
  kNotWritable,
  kFolderMissing,
  kPredsNotFound,
  kPredsRead,
  kPredsJson,
  kPredsNotArray,
  kPredsBadEntry,
  kPredsBadField,
  kPredsNotObject,
  kPredsTypeImageId,
  kPredsTypeCategory,
  kPredsTypeBbox,
  kPredsTypeScore,
  kPredsUnknownImages,
  kPredsNoneMatch,
  kPredsBadClass,
  kPredsWritten,
  kReportMaps,
  kReportMars,
  kReportPr,
  kReportCounting,
  kOutliersCount,
  kOutlierCountLine,
  kOutliersAp,
  kOutlierApLine,
  kOutliersNone,
  kPlotsSaved,
  kClassCountMismatch,
  kValImageLine,
  kEvalNoImages,
  kImageSizeUnknown,
  // detect on video
  kVideoStreamName,
  kVideoHardware,
  kVideoSoftware,
  kVideoStreamFailed,
  kVideoStreamReconnecting,
  kVideoStreamOnline,
  kVideoStreamBack,
  kVideoFrameFailed,
  kVideoStreamLine,
  kVideoStreamWindowLine,
  kVideoRunLine,
  kVideoSavedTo,
  kVideoInterrupted,
  kVideoMixed,
  kVideoUnavailable,
  kVideoStreamsFailed,
  kVideoImagesOnly,
  kVideoSummaryOk,
  kContradictingOptions,
  kVideoMoreFrameErrors,
  // track
  kUsageTrack,
  kTrackNeedsVideo,
  kLiveNeedsVideo,
  kTrackStreamSummary,
  kTrackLineCount,
  kTrackZoneCount,
  kSaveConfNeedsSaveTxt,
};

// The message in the current language; "{}" marks arguments.
const char* tr(Msg id);

// Replaces successive "{}" in `pattern` with `args`.
std::string format(std::string_view pattern, const std::vector<std::string>& args);

// The library's messages (errors, warnings) by id in the current language
// (i18n_library.cc): the Chinese catalog, its translator for
// Message::render (nullptr in English), and a Status or Message rendered.
const std::vector<std::pair<MessageId, const char*>>& library_translations_zh();
MessageTranslator library_translator();
std::string localized(const Message& message);
std::string localized(const Status& status);

template <typename... Args>
std::string trf(Msg id, const Args&... args) {
  return format(tr(id), std::vector<std::string>{std::string(args)...});
}

}  // namespace rkyolo::cli
