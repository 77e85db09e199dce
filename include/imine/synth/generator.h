// The built-in synthetic platform: users, their attributes and time-sorted behaviour events.
//
// Generative model. The catalog has C categories and M items (most in one category, some in a
// second one that shares an archetype with the first); items are Zipf-popular within each
// category, and categories have a skewed global appeal. A few archetypes (skewed popularity)
// each own an interest profile over a handful of categories, drawn by appeal, plus a preferred
// value per user attribute. A user picks an archetype, takes 1-3 of its categories as interests
// (sometimes plus one idiosyncratic category) with Dirichlet weights around the profile, drawn
// once for the start and once for the end of the period and interpolated in between, so tastes
// shift gradually; attributes equal the archetype's mode half of the time. Activity is
// heavy-tailed (lognormal event count, clamped). Events come in sessions spread uniformly over
// the period; each session focuses on one category, drawn from the user's current interests or,
// for a noise share of sessions, from global appeal; in it the user views Zipf-popular items of
// that category and moves down a view -> click (30%) -> cart (30%) -> buy (50%) funnel. A drift
// share of users adopt one more category of their archetype that they did not have, from a point
// late in their history (between 74% and 86% of their events) on, where it takes 70% of the
// sessions: it shows up mostly in the last ~20% of their events. Because the new category comes
// from the archetype, a model that learns which categories go together (and which attributes go
// with them) can predict it; the user's own history (HIST) cannot.
// The ground truth (truth_* of UserChunk) is the user's interest mixture at the end of the
// period (noise sessions aside), with the drifted interest flagged as new.
//
// Every user is a pure function of (seed, model, global index): any rank can generate any range
// and a seed gives the same data for any number of ranks.
#pragma once

#include <cstdint>

#include "imine/data/user_chunk.h"
#include "imine/synth/model.h"

namespace imine {

// Pseudonymous id of user `index`: a keyed bijection of the index, so ids are unique per seed
// and reveal nothing of the order without the seed.
uint64_t synth_user_id(uint64_t seed, uint64_t index);

// The archetype of user `index` (its first draw), for diagnostics and tests.
uint32_t synth_user_archetype(const SynthModel& model, uint64_t index);

// Replaces *out with users [first_index, first_index + count) (out->first_user = first_index),
// including attributes and ground truth. Throws imine::Error if the range exceeds config.users.
void generate_users(const SynthModel& model, uint64_t first_index, uint64_t count, UserChunk* out);

}  // namespace imine
