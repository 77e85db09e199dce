// Eigen for the nn area. GCC 12 reports -Wmaybe-uninitialized inside its own AVX-512 intrinsic
// headers when Eigen's GEMM kernels are inlined with -march=native (GCC bug 105593, fixed in
// GCC 13). Those diagnostics are attributed to the header lines, so ignoring the warning while
// the headers are first parsed silences only them; include this instead of <Eigen/Core> before
// any other header pulls in <immintrin.h>.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <Eigen/Core>
#pragma GCC diagnostic pop
