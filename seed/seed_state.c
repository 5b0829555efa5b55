/* seed_state: the one definition of the seed's shared state (stage 6).
 * What it holds, and who writes it, is in seed_state.h. */
#include "seed_state.h"

seed_state seed;
