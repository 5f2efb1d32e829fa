// rkyolo detect on hostile inputs and outputs, each made by the test: files
// too large to read, FIFOs and devices as sources, folders that refuse new
// files, a full device, and standard output as the JSON file. Every command
// runs under a watchdog: a hang fails the test instead of stalling it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_env.h"

namespace rkyolo {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;

std::string sample(const std::string& name) {
  return test::source_dir() + "/samples/" + name;
}

CommandResult rkyolo(std::vector<std::string> args) {
  return test::run_cli(RKYOLO_CLI, std::move(args), {"LANG=C"}, test::kHangTimeoutS);
}

// As an unprivileged user (permission bits do not stop root); false when
// that is impossible here.
bool rkyolo_unprivileged(std::vector<std::string> args, CommandResult* r) {
  std::vector<std::string> prefix;
  if (!test::unprivileged_prefix(&prefix)) return false;
  prefix.emplace_back(RKYOLO_CLI);
  args.insert(args.begin(), prefix.begin() + 1, prefix.end());
  *r = test::run_cli(prefix.front(), std::move(args), {"LANG=C"}, test::kHangTimeoutS);
  return true;
}

class CliHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("hostile");
    good_ = dir_ + "/good.jpg";
    fs::copy_file(sample("scene1.jpg"), good_);
  }
  CommandResult detect(std::vector<std::string> more) {
    std::vector<std::string> args = {"detect", "--model", test::demo_model(), "--source", good_};
    args.insert(args.end(), more.begin(), more.end());
    return rkyolo(args);
  }
  std::string dir_, good_;
};

// Item 7: a multi-GB file is refused from its size, before any allocation.
TEST_F(CliHostile, ImageFileOverTheSizeLimitFailsAloneWithASentence) {
  const std::string big = dir_ + "/big.jpg";
  test::write_bytes(big, "\xFF\xD8\xFF");
  fs::resize_file(big, std::uintmax_t{3} << 30);  // sparse: 3 GiB on no disk
  const CommandResult r = detect({"--source", big, "--no-save", "--json", dir_ + "/r.json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot read image '" + big + "': the file has 3221225472 bytes, more than the 256 MiB allowed"),
            std::string::npos)
      << r.err;
  const auto j = nlohmann::json::parse(test::read_text(dir_ + "/r.json"));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["width"], 720);
  EXPECT_TRUE(j[1].contains("error"));
}

// Item 9: a FIFO (nobody writes to it), a device and a socket are refused
// without being read.
TEST_F(CliHostile, FifoDeviceAndSocketSourcesAreRefusedWithoutBlocking) {
  const std::string fifo = dir_ + "/fifo.jpg";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  const CommandResult r = detect({"--source", fifo, "--source", "/dev/zero", "--no-save"});
  ASSERT_NE(r.exit_code, -2) << "rkyolo hung on a FIFO";
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot read image '" + fifo + "': it is a FIFO, not a regular file"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("cannot read image '/dev/zero': it is a device, not a regular file"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 of 3 images failed"), std::string::npos) << r.err;
}

// Item 15: output folders are checked for new files before the model runs.
TEST_F(CliHostile, ReadOnlyOutputFoldersFailBeforeTheWorkWithTheirCause) {
  const std::string ro = dir_ + "/ro";
  fs::create_directories(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read | fs::perms::others_exec);
  CommandResult r;
  if (!rkyolo_unprivileged(
          {"detect", "--model", test::demo_model(), "--source", good_, "--no-save", "--json", ro + "/r.json"}, &r))
    GTEST_SKIP() << "running as root without setpriv: permissions cannot be tested";
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err, "error: cannot write in '" + ro + "': Permission denied\n");
  ASSERT_TRUE(rkyolo_unprivileged({"detect", "--model", test::demo_model(), "--source", good_, "--output", ro}, &r));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err, "error: cannot write in '" + ro + "': Permission denied\n");
}

// Item 15: a write that fails during the run names errno's cause.
TEST_F(CliHostile, FailedWritesNameTheirCause) {
  CommandResult r = detect({"--no-save", "--json", "/dev/full"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write '/dev/full': No space left on device"), std::string::npos) << r.err;
  // The annotated image's name is taken by a folder.
  const std::string out = dir_ + "/out";
  fs::create_directories(out + "/good.jpg");
  r = detect({"--output", out});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write '" + out + "/good.jpg': Is a directory"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("encoder"), std::string::npos) << r.err;
}

// Item 16: "-" and /dev/stdout carry the JSON alone; everything else goes to
// standard error.
TEST_F(CliHostile, StandardOutputCarriesOnlyTheJson) {
  for (const char* to : {"-", "/dev/stdout"}) {
    const CommandResult r = detect({"--no-save", "--json", to});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);  // throws if anything else is there
    ASSERT_EQ(j.size(), 1u) << to;
    EXPECT_EQ(j[0]["image"], good_);
    EXPECT_NE(r.err.find("image 1/1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 images processed"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists("-")) << "a file named '-' was written";
  const CommandResult quiet = detect({"--no-save"});
  EXPECT_EQ(quiet.out, "");
}

// Item 16: "results saved to" only when something was saved.
TEST_F(CliHostile, NothingSavedSaysNothingAboutSaving) {
  const std::string out = dir_ + "/out", bad = dir_ + "/bad.jpg";
  test::write_bytes(bad, "not an image");
  CommandResult r = rkyolo({"detect", "--model", test::demo_model(), "--source", bad, "--output", out});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.find("results saved"), std::string::npos) << r.err;
  r = detect({"--output", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("results saved to " + out), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rkyolo
