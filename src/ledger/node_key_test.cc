#include "ledger/node_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/encoding.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;

class NodeKeyTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_node_key_test_" + HexEncode(RandomBytes(8)));
    ASSERT_TRUE(fs::create_directory(dir_));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void WriteFile(const fs::path& p, std::string_view data, mode_t mode) {
    std::ofstream(p, std::ios::binary) << data;
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
  }
  static mode_t Mode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  fs::path dir_;
};

TEST_F(NodeKeyTest, CreateWritesAPrivateKeyFileWithMode0600) {
  const fs::path file = dir_ / "node.key";
  ASSERT_TRUE(CreateNodeKey(file, "palika.example/ulb/0152/node-1").ok());
  EXPECT_EQ(Mode(file), 0600u);
  const std::string contents = ReadFile(file);
  EXPECT_TRUE(contents.starts_with("PRIVATE+KEY+palika.example/ulb/0152/node-1+")) << contents;
  EXPECT_TRUE(contents.ends_with("\n"));

  Result<NoteSigner> signer = LoadNodeKey(file);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->name(), "palika.example/ulb/0152/node-1");
  EXPECT_EQ(signer->Format() + "\n", contents);
  Result<std::string> note = signer->Sign("hello\n");
  ASSERT_TRUE(note.ok());
  const NoteVerifier verifier = signer->Verifier();
  EXPECT_TRUE(OpenNote(*note, std::span(&verifier, 1)).ok());
}

TEST_F(NodeKeyTest, CreateNeverOverwrites) {
  const fs::path file = dir_ / "node.key";
  ASSERT_TRUE(CreateNodeKey(file, "node-1").ok());
  const std::string before = ReadFile(file);
  Status s = CreateNodeKey(file, "node-1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kConflict);
  EXPECT_EQ(s.code(), "node_key_exists");
  EXPECT_EQ(ReadFile(file), before);
}

TEST_F(NodeKeyTest, CreateDoesNotFollowASymlink) {
  const fs::path target = dir_ / "elsewhere";
  const fs::path file = dir_ / "node.key";
  fs::create_symlink(target, file);
  EXPECT_FALSE(CreateNodeKey(file, "node-1").ok());
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(NodeKeyTest, CreateRejectsABadNameWithoutMakingAFile) {
  const fs::path file = dir_ / "node.key";
  Status s = CreateNodeKey(file, "has space");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kInvalidArgument);
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(NodeKeyTest, CreateInAMissingDirectoryIsAnIOError) {
  Status s = CreateNodeKey(dir_ / "missing" / "node.key", "node-1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kIOError);
}

TEST_F(NodeKeyTest, LoadRefusesAKeyOthersCanRead) {
  const fs::path file = dir_ / "node.key";
  ASSERT_TRUE(CreateNodeKey(file, "node-1").ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0606, 0610, 0601}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    Result<NoteSigner> signer = LoadNodeKey(file);
    ASSERT_FALSE(signer.ok()) << std::oct << mode;
    EXPECT_EQ(signer.status().kind(), StatusKind::kPermissionDenied);
    EXPECT_EQ(signer.status().code(), "node_key_insecure");
    EXPECT_NE(signer.status().message().find("chmod 600 " + file.string()), std::string::npos)
        << signer.status().message();
    EXPECT_NE(signer.status().message_hi().find("chmod 600"), std::string::npos);
  }
  for (mode_t mode : {0600, 0400}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    EXPECT_TRUE(LoadNodeKey(file).ok()) << std::oct << mode;
  }
}

TEST_F(NodeKeyTest, LoadOfAMissingFileIsNotFound) {
  Result<NoteSigner> signer = LoadNodeKey(dir_ / "absent.key");
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().kind(), StatusKind::kNotFound);
}

TEST_F(NodeKeyTest, LoadRejectsFilesThatAreNotKeys) {
  const fs::path file = dir_ / "node.key";
  WriteFile(file, "not a key\n", 0600);
  Result<NoteSigner> signer = LoadNodeKey(file);
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().code(), "node_key_invalid");

  WriteFile(file, std::string(10000, 'A'), 0600);
  EXPECT_EQ(LoadNodeKey(file).status().code(), "node_key_invalid");

  EXPECT_EQ(LoadNodeKey(dir_).status().code(), "node_key_invalid");  // a directory
}

TEST_F(NodeKeyTest, LoadAcceptsAKeyWithoutTheTrailingNewline) {
  const fs::path file = dir_ / "node.key";
  const std::string skey =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  WriteFile(file, skey, 0600);
  Result<NoteSigner> signer = LoadNodeKey(file);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->key_hash(), 0xc74f20a3u);
  WriteFile(file, skey + "\r\n", 0600);
  EXPECT_TRUE(LoadNodeKey(file).ok());
}

}  // namespace
}  // namespace palika::ledger
