// The one version reaches every program: each exe's VERSIONINFO resource (what Explorer, Get-Item
// and Windows Installer read) and what `--version` prints, with the commit of this checkout.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/version.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "process_runner.h"

namespace sup::win {
namespace {

struct VersionInfo {
  DWORD file_version_ms = 0, file_version_ls = 0;
  std::string product_version, file_version, description, original_name;
};

std::optional<VersionInfo> ReadVersionInfo(const std::string& program) {
  const std::wstring path = Widen(testing::ExecutableDirectory() + "\\" + program);
  DWORD ignored = 0;
  const DWORD size = ::GetFileVersionInfoSizeW(path.c_str(), &ignored);
  if (size == 0) return std::nullopt;
  std::vector<BYTE> data(size);
  if (!::GetFileVersionInfoW(path.c_str(), 0, size, data.data())) return std::nullopt;
  VersionInfo info;
  VS_FIXEDFILEINFO* fixed = nullptr;
  UINT length = 0;
  if (::VerQueryValueW(data.data(), L"\\", reinterpret_cast<void**>(&fixed), &length) && fixed) {
    info.file_version_ms = fixed->dwFileVersionMS;
    info.file_version_ls = fixed->dwFileVersionLS;
  }
  const auto text = [&](const wchar_t* name) {
    wchar_t* value = nullptr;
    const std::wstring query = std::wstring(L"\\StringFileInfo\\040904B0\\") + name;
    if (!::VerQueryValueW(data.data(), query.c_str(), reinterpret_cast<void**>(&value), &length) ||
        !value) {
      return std::string();
    }
    return Narrow(value);
  };
  info.product_version = text(L"ProductVersion");
  info.file_version = text(L"FileVersion");
  info.description = text(L"FileDescription");
  info.original_name = text(L"OriginalFilename");
  return info;
}

TEST(VersionInfoTest, EachProgramCarriesTheOneVersion) {
  const std::string version(SupVersion());
  unsigned major = 0, minor = 0, patch = 0;
  ASSERT_EQ(std::sscanf(version.c_str(), "%u.%u.%u", &major, &minor, &patch), 3) << version;
  for (const std::string program : {"supd.exe", "supctl.exe"}) {
    const std::optional<VersionInfo> info = ReadVersionInfo(program);
    ASSERT_TRUE(info.has_value()) << program << ": " << Win32ErrorText(::GetLastError());
    EXPECT_EQ(info->product_version, version) << program;
    EXPECT_EQ(info->file_version, version) << program;
    EXPECT_EQ(info->file_version_ms, (major << 16) | minor) << program;
    EXPECT_EQ(info->file_version_ls, patch << 16) << program;
    EXPECT_EQ(info->original_name, program);
    EXPECT_FALSE(info->description.empty()) << program;
  }
}

TEST(VersionInfoTest, VersionFlagsPrintTheVersionAndTheCommit) {
  for (const std::string program : {"supd.exe", "supctl.exe"}) {
    Result<testing::ProcessOutput> run =
        testing::RunProcess({testing::ExecutableDirectory() + "\\" + program, "--version"});
    ASSERT_TRUE(run.ok()) << run.error().message();
    EXPECT_EQ(run->exit_code, 0u) << program;
    std::string out = run->out;
    std::erase(out, '\r');  // the C runtime's text mode, for supd
    EXPECT_EQ(out, SupVersionWithCommit() + "\n") << program;
  }
}

}  // namespace
}  // namespace sup::win
