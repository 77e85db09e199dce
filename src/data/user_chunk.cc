#include "imine/data/user_chunk.h"

namespace imine {

const char* event_type_name(int type) {
  static const char* const kNames[kNumEventTypes] = {"view", "click", "cart", "buy", "rate"};
  return (type >= 0 && type < kNumEventTypes) ? kNames[type] : "unknown";
}

void UserChunk::clear() {
  first_user = 0;
  user_ids.clear();
  offsets.assign(1, 0);
  items.clear();
  types.clear();
  times.clear();
  weights.clear();
  attributes.clear();
  truth_offsets.clear();
  truth_category.clear();
  truth_weight.clear();
  truth_is_new.clear();
}

}  // namespace imine
