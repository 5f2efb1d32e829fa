// Messages with identities: the library catalog (include/rkyolo/messages.def)
// and the CLI's Chinese catalog (apps/rkyolo/i18n_library.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "backends/rknn/rknn_runtime.h"
#include "core/onnx_reader.h"
#include "rkyolo/backend.h"
#include "rkyolo/i18n.h"
#include "rkyolo/message.h"
#include "rkyolo/status.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

std::map<int, const char*> zh_by_id() {
  std::map<int, const char*> m;
  for (const auto& [id, zh] : cli::library_translations_zh()) {
    EXPECT_TRUE(m.emplace(static_cast<int>(id), zh).second) << "two Chinese entries for " << message_info(id).name;
  }
  return m;
}

// (a) Every id has a Chinese template with exactly the English one's {named} arguments.
TEST(Messages, EveryIdHasAChineseTranslationWithTheSameArguments) {
  const std::map<int, const char*> zh = zh_by_id();
  for (const MessageInfo& m : message_catalog()) {
    const auto it = zh.find(static_cast<int>(m.id));
    if (it == zh.end()) {
      ADD_FAILURE() << "no Chinese translation for " << m.name << " (\"" << m.english << "\")";
      continue;
    }
    EXPECT_EQ(template_arguments(it->second), template_arguments(m.english)) << m.name << ": " << it->second;
    EXPECT_STRNE(it->second, "") << m.name;
  }
  EXPECT_EQ(zh.size(), message_catalog().size()) << "a Chinese entry for an id the catalog lacks";
}

// (d) Ids are unique, in catalog order, with stable dotted lower-case names.
TEST(Messages, IdsAreUniqueAndStablyNamed) {
  const std::regex dotted("[a-z0-9_]+(\\.[a-z0-9_]+)*");
  std::set<std::string> names;
  std::set<std::string> english;
  const auto& all = message_catalog();
  ASSERT_GT(all.size(), 100u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(all[i].id), i) << all[i].name;
    EXPECT_TRUE(std::regex_match(std::string(all[i].name), dotted)) << all[i].name;
    EXPECT_TRUE(names.insert(std::string(all[i].name)).second) << "name used twice: " << all[i].name;
    // No twins: one sentence, one id.
    EXPECT_TRUE(english.insert(std::string(all[i].english)).second) << "English used twice: " << all[i].english;
    EXPECT_EQ(message_info(all[i].id).name, all[i].name);
  }
  EXPECT_EQ(message_info(MessageId::kOnnxNotValid).name, "onnx.not_valid");
  EXPECT_EQ(message_info(MessageId::kFileMissing).name, "file.missing");
}

TEST(Messages, TemplatesRenderNamedAndNestedArguments) {
  const Message m(MessageId::kOnnxNotValid, {{"path", "a.onnx"}, {"why", Message(MessageId::kOnnxNoGraph)}});
  EXPECT_EQ(m.render(), "'a.onnx' is not a valid ONNX model (no model graph found; is it an ONNX file?)");
  EXPECT_EQ(render_template("{a}{{b}}{c}", {{"a", 1}, {"c", "x"}}, nullptr), "1{b}x");
  EXPECT_EQ(template_arguments("{b} {a} {{c}} {a}"), (std::vector<std::string>{"a", "b"}));
  ASSERT_NE(m.arg("path"), nullptr);
  EXPECT_EQ(m.arg("path")->text(), "a.onnx");
  EXPECT_EQ(m.arg("nope"), nullptr);
}

TEST(Messages, ContextKeepsTheIdentity) {
  const Status s = not_found(MessageId::kFileMissing, {{"path", "/x.onnx"}})
                       .with_context(Message(MessageId::kModelContext, {{"path", "/x.onnx"}}));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "model '/x.onnx': '/x.onnx' does not exist");
  EXPECT_EQ(s.detail().id(), MessageId::kContext);
  ASSERT_NE(s.detail().arg("cause"), nullptr);
  ASSERT_NE(s.detail().arg("cause")->nested(), nullptr);
  EXPECT_EQ(s.detail().arg("cause")->nested()->id(), MessageId::kFileMissing);
  EXPECT_EQ(sizeof(Status), sizeof(void*));
}

// (b) English renderings of real code paths equal the sentences users and tests know.
TEST(Messages, EnglishOfRealErrorsIsUnchanged) {
  std::vector<std::uint8_t> bytes;
  Status s = core::read_file_bytes("/nonexistent/rkyolo-model.onnx", &bytes);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "'/nonexistent/rkyolo-model.onnx' does not exist");
  EXPECT_EQ(s.detail().id(), MessageId::kFileMissing);

  const std::string model = test::read_text(test::demo_model());
  ASSERT_GT(model.size(), 1000u);
  core::OnnxModelInfo info;
  s = core::parse_onnx(reinterpret_cast<const std::uint8_t*>(model.data()), model.size() / 3, "t.onnx", &info);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_EQ(s.message().rfind("'t.onnx' is not a valid ONNX model (the file is truncated or damaged: ", 0), 0u)
      << s.message();
  EXPECT_EQ(s.detail().id(), MessageId::kOnnxNotValid);

  std::shared_ptr<rknn::Runtime> rt;
  s = rknn::Runtime::load("/nonexistent/librknnrt.so", &rt);
  EXPECT_EQ(s.code(), StatusCode::kBackendUnavailable);
  EXPECT_EQ(s.message().rfind("cannot load the RKNN runtime '/nonexistent/librknnrt.so': ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find(" (install librknnrt.so, or point --rknn-lib / RKYOLO_RKNN_LIB at it)"), std::string::npos)
      << s.message();

  EXPECT_EQ(rknn::describe_error("rknn_run", -1).render(),
            "rknn_run returned RKNN_ERR_FAIL (-1): the runtime reported a generic failure");
  EXPECT_EQ(rknn::describe_error("rknn_init", -7).render(),
            "rknn_init returned RKNN_ERR_CTX_INVALID (-7): the context is invalid or was destroyed");
}

// Video errors: FFmpeg's own text is an argument; the sentence around it is ours.
TEST(Messages, VideoErrorsRenderTheKnownEnglishAndTranslate) {
  const Status s = io_error(MessageId::kVideoLost,
                            {{"location", "rtsp://cam/1"},
                             {"attempts", 3},
                             {"cause", Message(MessageId::kVideoStreamCannotOpen,
                                               {{"location", "rtsp://cam/1"}, {"error", "Connection refused"}})}});
  EXPECT_EQ(s.message(),
            "'rtsp://cam/1' is lost: 3 reconnection attempts failed; the last: cannot open the stream "
            "'rtsp://cam/1': Connection refused.");
  cli::set_language(cli::Lang::kZh);
  EXPECT_EQ(cli::localized(s),
            "'rtsp://cam/1' 已丢失：3 次重新连接均失败；最后一次：无法打开流 'rtsp://cam/1'：Connection refused。");
  cli::set_language(cli::Lang::kEn);
}

// Backend scores explain themselves with ids: "no backend can run" is translated whole.
TEST(Messages, BackendReasonsHaveIdentities) {
  register_builtin_backends();
  BackendOptions options;
  options.model_path = "/nonexistent/m.rknn";
  options.rknn.library = "/nonexistent/librknnrt.so";
  std::unique_ptr<Backend> backend;
  const Status s = create_backend("auto", options, &backend);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kBackendUnavailable);
  EXPECT_EQ(s.detail().id(), MessageId::kRegistryNoUsableBackend);
  EXPECT_EQ(s.message().rfind("no backend can run '/nonexistent/m.rknn' here (", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("cannot load the RKNN runtime '/nonexistent/librknnrt.so'"), std::string::npos)
      << s.message();
  ASSERT_NE(s.detail().arg("reasons"), nullptr);
  ASSERT_NE(s.detail().arg("reasons")->nested(), nullptr);
  bool cpu_listed = false;
  for (const auto& f : registered_backends()) cpu_listed = cpu_listed || f.name == "cpu";
  if (cpu_listed) {
    EXPECT_NE(s.message().find("cpu: runs ONNX models, not .rknn"), std::string::npos) << s.message();
    cli::set_language(cli::Lang::kZh);
    EXPECT_NE(cli::localized(s).find("cpu：运行 ONNX 模型，而不是 .rknn"), std::string::npos) << cli::localized(s);
    cli::set_language(cli::Lang::kEn);
  }
}

TEST(Messages, ChineseKeepsArgumentsAndTranslatesNestedCauses) {
  cli::set_language(cli::Lang::kZh);
  const Status s = backend_error(MessageId::kRknnRunFailed,
                                 {{"cause", rknn::describe_error("rknn_run", -1)}, {"path", "/m/y.rknn"}});
  EXPECT_EQ(cli::localized(s), "rknn_run 返回 RKNN_ERR_FAIL (-1)：运行时报告了一般性失败（模型 '/m/y.rknn'）");
  cli::set_language(cli::Lang::kEn);
  EXPECT_EQ(cli::localized(s), s.message());
  EXPECT_EQ(s.message(),
            "rknn_run returned RKNN_ERR_FAIL (-1): the runtime reported a generic failure (model '/m/y.rknn')");
}

}  // namespace
}  // namespace rkyolo
