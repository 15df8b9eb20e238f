// Bodies kept in sealed memory files for sendfile (http/body_file.h).
#include "http/body_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

using namespace tribune;

namespace {

std::shared_ptr<const std::string> bytes_of(size_t n, char fill = 'x') {
  std::string s(n, fill);
  for (size_t i = 0; i < n; i += 97) s[i] = static_cast<char>('a' + i % 26);
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

TEST(BodyFile, HoldsTheBytesSealedAndOnlyForTheStringItWasMadeFrom) {
  auto bytes = bytes_of(100 * 1024);
  auto file = BodyFile::make(bytes);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->size(), bytes->size());
  std::string back(bytes->size(), '\0');
  ASSERT_EQ(::pread(file->fd(), back.data(), back.size(), 0), static_cast<ssize_t>(back.size()));
  EXPECT_EQ(back, *bytes);
  // Sealed: not even this process can change what a response in flight reads.
  EXPECT_EQ(::pwrite(file->fd(), "changed", 7, 0), -1);
  EXPECT_TRUE(file->holds(bytes));
  EXPECT_FALSE(file->holds(std::make_shared<const std::string>(*bytes))) << "equal bytes, another string";
  EXPECT_FALSE(file->holds(nullptr));
  // Once its string is gone, another at the same address is not it (an aliasing pointer stands for one).
  const std::string* address = bytes.get();
  bytes.reset();
  auto owner = std::make_shared<int>(0);
  EXPECT_FALSE(file->holds(std::shared_ptr<const std::string>(owner, address)));
}

TEST(BodyFile, SmallBodiesGetNone) {
  EXPECT_FALSE(BodyFile::make(bytes_of(BodyFile::kMinSize - 1)));
  EXPECT_FALSE(BodyFile::make(nullptr));
  EXPECT_TRUE(BodyFile::make(bytes_of(BodyFile::kMinSize)));
}

// Each file is a descriptor: past the bound, bodies are sent from memory; a file released makes room.
TEST(BodyFile, AtMostMaxFilesExistAtOnce) {
  EXPECT_LE(BodyFile::max_files(), BodyFile::kMaxFiles);
  EXPECT_GT(BodyFile::max_files(), 0);
  int before = BodyFile::open_files();
  auto bytes = bytes_of(BodyFile::kMinSize);
  std::vector<std::shared_ptr<const BodyFile>> files;
  for (int i = before; i < BodyFile::max_files(); ++i) {
    files.push_back(BodyFile::make(bytes));
    ASSERT_TRUE(files.back()) << i;
  }
  EXPECT_EQ(BodyFile::open_files(), BodyFile::max_files());
  EXPECT_FALSE(BodyFile::make(bytes));
  EXPECT_EQ(BodyFile::open_files(), BodyFile::max_files()) << "a refusal holds nothing";
  files.pop_back();
  EXPECT_TRUE(BodyFile::make(bytes));
  files.clear();
  EXPECT_EQ(BodyFile::open_files(), before);
}
