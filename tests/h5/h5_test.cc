#include "imine/h5/h5.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace imine::h5 {
namespace {

std::string temp(const std::string& name) {
  return ::testing::TempDir() + "/" + std::to_string(::getpid()) + "_" + name;
}

TEST(H5, WriteReadRoundTripWithAttributes) {
  std::string path = temp("rt.h5");
  {
    File f = File::create(path);
    write_schema(f, "imine.test", 1);
    std::vector<uint64_t> a = {1, 2, 3, 4, 5};
    write_vector(f, "/g/a", a);
    std::vector<float> m = {1, 2, 3, 4, 5, 6};
    write_dataset(f, "/m", m.data(), {3, 2});
    write_strings(f, "/names", {"x", "yy"});
    set_attr(f, "/g/a", "unit", std::string("count"));
    set_attr(f, "/", "ints", std::vector<int64_t>{7, 8});
    AppendableDataset<int32_t> app(f, "/app", 2);
    int32_t rows[4] = {1, 2, 3, 4};
    app.append(rows, 1);
    app.append(rows + 2, 1);
    f.close();
  }
  File f = File::open_read(path);
  EXPECT_EQ(require_schema(f, "imine.test", 1, 1), 1);
  EXPECT_THROW(require_schema(f, "imine.test", 2, 3), Error);
  EXPECT_THROW(require_schema(f, "imine.other", 1, 1), Error);
  std::vector<uint64_t> a;
  Dataset(f, "/g/a").read_all(&a);
  EXPECT_EQ(a, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  uint64_t part[2];
  Dataset(f, "/g/a").read_rows(3, 2, part);
  EXPECT_EQ(part[0], 4u);
  EXPECT_EQ(part[1], 5u);
  uint64_t strided[3];
  Dataset(f, "/g/a").read_strided(0, 2, 3, strided);
  EXPECT_EQ(strided[2], 5u);
  EXPECT_THROW(Dataset(f, "/g/a").read_rows(4, 2, part), Error);
  float row[2];
  Dataset(f, "/m").read_rows(2, 1, row);
  EXPECT_EQ(row[1], 6.0f);
  EXPECT_EQ(Dataset(f, "/names").read_strings(), (std::vector<std::string>{"x", "yy"}));
  EXPECT_EQ(get_attr_string(f, "/g/a", "unit"), "count");
  EXPECT_EQ(get_attr_ints(f, "/", "ints"), (std::vector<int64_t>{7, 8}));
  std::vector<int32_t> app;
  Dataset d(f, "/app");
  EXPECT_EQ(d.dims(), (std::vector<hsize_t>{2, 2}));
  d.read_all(&app);
  EXPECT_EQ(app, (std::vector<int32_t>{1, 2, 3, 4}));
}

TEST(H5, WrongTypeAndLimitsNameTheDataset) {
  std::string path = temp("types.h5");
  {
    File f = File::create(path);
    write_vector(f, "/v", std::vector<int64_t>(10, 1));
    f.close();
  }
  File f = File::open_read(path);
  std::vector<uint64_t> u;
  try {
    Dataset(f, "/v").read_all(&u);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/v"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("uint64"), std::string::npos);
  }
  std::vector<int64_t> v;
  ReadLimits tiny;
  tiny.max_elements = 5;
  EXPECT_THROW(Dataset(f, "/v").read_all(&v, tiny), Error);
  EXPECT_THROW(Dataset(f, "/missing/x"), Error);
}

TEST(H5, OpenImageAndRejectGarbage) {
  std::string path = temp("img.h5");
  {
    File f = File::create(path);
    write_vector(f, "/v", std::vector<float>{1.5f});
    f.close();
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  File img = File::open_image(bytes.data(), bytes.size(), "image");
  std::vector<float> v;
  Dataset(img, "/v").read_all(&v);
  EXPECT_EQ(v[0], 1.5f);
  std::string junk = temp("junk.h5");
  std::ofstream(junk) << "not hdf5";
  EXPECT_THROW(File::open_read(junk), Error);
}

}  // namespace
}  // namespace imine::h5
