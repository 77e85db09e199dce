// Writes INI fixtures into the gtest temp dir under names unique to the running test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace imine::testing_config {

inline std::string write_temp_file(const std::string& suffix, const std::string& text) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = ::testing::TempDir() + "imine_config_" + info->test_suite_name() + "_" +
                     info->name() + "_" + std::to_string(getpid()) + suffix;
  std::ofstream(path) << text;
  return path;
}

}  // namespace imine::testing_config
