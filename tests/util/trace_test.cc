#include "imine/util/trace.h"

#include <gtest/gtest.h>

namespace imine {
namespace {

TEST(Tracer, DisabledRecordsNothingAndFullBufferDrops) {
  Tracer off;
  off.add("forward", 0, 1, 0.0, 1.0);
  EXPECT_TRUE(off.spans().empty());
  Tracer t(2);
  t.add("forward", 0, 1, 1.0, 1.5);
  t.add("backward", 0, 1, 1.5, 2.0);
  t.add("allreduce", 1, 1, 1.6, 1.9);
  EXPECT_EQ(t.spans().size(), 2u);
  EXPECT_EQ(t.dropped(), 1u);
}

TEST(Tracer, ChromeJsonHasCompleteEventsPerRankInMicroseconds) {
  Tracer a(4), b(4);
  a.add("backward", 0, 7, 10.0, 10.002);
  b.add("allreduce", 1, 7, 10.001, 10.003);
  std::string json = chrome_trace_json({a.spans(), b.spans()}, 10.0);
  EXPECT_NE(json.find("\"traceEvents\""), std::string::npos);
  EXPECT_NE(json.find("{\"ph\":\"X\",\"name\":\"backward\",\"pid\":0,\"tid\":0,\"ts\":0.000,"
                      "\"dur\":2000.000,\"args\":{\"step\":7}}"),
            std::string::npos);
  EXPECT_NE(json.find("\"name\":\"allreduce\",\"pid\":1,\"tid\":1,\"ts\":1000.000"),
            std::string::npos);
}

}  // namespace
}  // namespace imine
