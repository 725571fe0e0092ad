#pragma once
// PALIKA_ASSERT: an invariant that stays on in every build (DuckDB's D_ASSERT). A broken invariant
// is a bug, never an expected failure: it aborts with the place and the condition.

#include <cstdio>
#include <cstdlib>

#define PALIKA_ASSERT(cond)                                                             \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
