#include "imine/nn/param_buffer.h"

#include <gtest/gtest.h>

#include "imine/util/error.h"

namespace imine {
namespace {

TEST(ParamBuffer, SlicesAreCacheAlignedAndRowMajor) {
  ParamBuffer buf;
  EXPECT_EQ(buf.reserve(6), 0u);
  EXPECT_EQ(buf.reserve(3), 16u);  // padded to the next 64-byte boundary
  ASSERT_EQ(buf.size(), 19u);
  ASSERT_EQ(buf.grad_vector().size(), 19u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buf.params() + 16) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buf.grads() + 16) % 64, 0u);
  for (size_t i = 0; i < buf.size(); ++i) buf.params()[i] = static_cast<float>(i);
  auto w = buf.param_matrix(0, 2, 3);
  // [out=2, in=3] row-major: element (r, c) sits at r * 3 + c, as in an HDF5 [2,3] dataset.
  EXPECT_EQ(w(0, 2), 2.0f);
  EXPECT_EQ(w(1, 0), 3.0f);
  EXPECT_EQ(w(1, 2), 5.0f);
  EXPECT_EQ(buf.param_vec(16, 3)(2), 18.0f);
}

TEST(ParamBuffer, GradsWriteThroughAndZero) {
  ParamBuffer buf;
  buf.reserve(4);
  buf.grad_matrix(0, 2, 2)(1, 0) = 7.0f;
  buf.grad_vec(3, 1)(0) = -1.0f;
  EXPECT_EQ(buf.grads()[2], 7.0f);
  EXPECT_EQ(buf.grads()[3], -1.0f);
  buf.zero_grads();
  for (float g : buf.grad_vector()) EXPECT_EQ(g, 0.0f);
}

TEST(ParamBuffer, GradientsMoveToLentStorageAndBack) {
  ParamBuffer buf;
  buf.reserve(20);
  buf.grad_vec(0, 20)(3) = 4.0f;
  alignas(64) float lent[32] = {};
  EXPECT_THROW(buf.use_grad_storage(lent + 1), Error);  // misaligned
  buf.use_grad_storage(lent);
  EXPECT_EQ(buf.grads(), lent);
  EXPECT_EQ(lent[3], 4.0f);               // the values moved with them
  buf.grad_matrix(0, 4, 5)(1, 1) = 9.0f;  // layers write into the lent storage
  EXPECT_EQ(lent[6], 9.0f);
  EXPECT_THROW(buf.reserve(1), Error);
  EXPECT_THROW(buf.grad_vector(), Error);
  buf.zero_grads();
  EXPECT_EQ(lent[3], 0.0f);
  lent[7] = 2.5f;
  buf.use_own_grad_storage();
  EXPECT_NE(buf.grads(), lent);
  ASSERT_EQ(buf.grad_vector().size(), 20u);
  EXPECT_EQ(buf.grad_vector()[7], 2.5f);
  EXPECT_NO_THROW(buf.reserve(1));
}

TEST(ParamBuffer, OutOfRangeSliceThrows) {
  ParamBuffer buf;
  buf.reserve(5);
  EXPECT_THROW(buf.param_matrix(0, 2, 3), Error);
  EXPECT_THROW(buf.grad_vec(4, 2), Error);
  EXPECT_NO_THROW(buf.param_vec(4, 1));
}

}  // namespace
}  // namespace imine
