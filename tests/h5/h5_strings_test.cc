// Strings in imine files are fixed-length; variable-length ones are refused before HDF5 reads
// them (HDF5 1.10's global-heap reader trusts forged sizes).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "imine/h5/h5.h"

namespace imine::h5 {
namespace {

std::string temp(const std::string& name) {
  return ::testing::TempDir() + "/" + std::to_string(::getpid()) + "_" + name;
}

// The message of the Error thrown by fn, or "" if none was thrown.
template <typename Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

Handle vlen_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.id(), H5T_VARIABLE);
  return t;
}

// What imine before format v2 (and h5py for Python str) wrote: variable-length strings.
void write_vlen_file(const std::string& path) {
  File f = File::create(path);
  Handle t = vlen_type();
  const char* schema = "imine.users";
  Handle scalar(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(H5Acreate2(f.id(), "schema", t.id(), scalar.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  ASSERT_GE(H5Awrite(a.id(), t.id(), &schema), 0);
  set_attr(f, "/", "schema_version", int64_t{1});
  const char* names[2] = {"a", "bb"};
  hsize_t n = 2;
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle d(H5Dcreate2(f.id(), "names", t.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           H5Dclose);
  ASSERT_GE(H5Dwrite(d.id(), t.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, names), 0);
  f.close();
}

TEST(H5Strings, WrittenFixedLengthNulPaddedAsWideAsTheLongest) {
  std::string path = temp("fixed.h5");
  {
    File f = File::create(path);
    write_strings(f, "/names", {"a", "", "ccc"});
    write_strings(f, "/empty", {});
    set_attr(f, "/", "one", std::string("hello"));
    set_attr(f, "/", "list", std::vector<std::string>{"x", "yyyy"});
    set_attr(f, "/", "none", std::vector<std::string>{});
    f.close();
  }
  File f = File::open_read(path);
  Dataset d(f, "/names");
  Handle t(H5Dget_type(d.id()), H5Tclose);
  EXPECT_EQ(H5Tis_variable_str(t.id()), 0);
  EXPECT_EQ(H5Tget_size(t.id()), 3u);
  EXPECT_EQ(H5Tget_strpad(t.id()), H5T_STR_NULLPAD);
  EXPECT_EQ(H5Tget_cset(t.id()), H5T_CSET_UTF8);
  EXPECT_EQ(d.read_strings(), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_TRUE(Dataset(f, "/empty").read_strings().empty());
  EXPECT_EQ(get_attr_string(f, "/", "one"), "hello");
  EXPECT_EQ(get_attr_strings(f, "/", "list"), (std::vector<std::string>{"x", "yyyy"}));
  EXPECT_TRUE(get_attr_strings(f, "/", "none").empty());
  EXPECT_EQ(attr_text(f, "/", "list"), "[x, yyyy]");
}

TEST(H5Strings, LongListsAreReadBackInBlocks) {
  // 12 strings of 100 KB: the reader's 1 MiB buffer holds 10, so this takes two blocks.
  std::vector<std::string> v;
  for (int i = 0; i < 12; ++i) v.push_back(std::string(100000 - i, static_cast<char>('a' + i)));
  std::string path = temp("long.h5");
  {
    File f = File::create(path);
    write_strings(f, "/long", v);
    f.close();
  }
  File f = File::open_read(path);
  EXPECT_EQ(Dataset(f, "/long").read_strings(), v);
  ReadLimits narrow;
  narrow.max_string_bytes = 99999;
  EXPECT_NE(error_of([&] { Dataset(f, "/long").read_strings(narrow); }).find("100000 bytes wide"),
            std::string::npos);
  ReadLimits small_total;
  small_total.max_string_total_bytes = 1000000;
  EXPECT_NE(error_of([&] { Dataset(f, "/long").read_strings(small_total); }).find(": 12 strings"),
            std::string::npos);
}

TEST(H5Strings, WritersRefuseNulAndOversizedValues) {
  File f = File::create(temp("bad.h5"));
  EXPECT_NE(error_of([&] {
              write_strings(f, "/n", {"ok", std::string("a\0b", 3)});
            }).find("/n: string 1 contains NUL"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { set_attr(f, "/", "big", std::string(70000, 'x')); }).find("attribute big"),
      std::string::npos);
  std::vector<std::string> many(1000, std::string(100, 'x'));
  EXPECT_NE(error_of([&] { set_attr(f, "/", "many", many); }).find("limit of an attribute"),
            std::string::npos);
}

TEST(H5Strings, VariableLengthStringsAreRefusedNamingFileAndObject) {
  std::string path = temp("vlen.h5");
  write_vlen_file(path);
  File f = File::open_read(path);
  std::string e = error_of([&] { Dataset(f, "/names").read_strings(); });
  EXPECT_NE(e.find(path + ": /names: variable-length strings"), std::string::npos) << e;
  e = error_of([&] { get_attr_string(f, "/", "schema"); });
  EXPECT_NE(e.find(path + ": /: attribute schema is a variable-length string"), std::string::npos)
      << e;
  // The schema check says what the file is and how to convert it, from the integer version.
  e = error_of([&] { require_schema(f, "imine.users", 2, 2); });
  EXPECT_NE(e.find("format version 1 with variable-length strings"), std::string::npos) << e;
  EXPECT_NE(e.find("scripts/convert_strings.py"), std::string::npos) << e;
  // inspect still lists it without reading the value.
  EXPECT_EQ(attr_text(f, "/", "schema"), "(variable-length string, not read)");
  EXPECT_EQ(attr_text(f, "/", "schema_version"), "1");
}

}  // namespace
}  // namespace imine::h5
