// The one way hostwatch includes ldns. ldns's <ldns/common.h> defines the
// macros bool, true and false (true as 1) unless __bool_true_false_are_defined
// is set, which in C++ breaks the standard library (std::optional's
// comparisons stop compiling) and every `true` after it. <stdbool.h> sets
// that macro without defining the others in C++, so it must come first.
#pragma once

#include <stdbool.h>  // NOLINT(modernize-deprecated-headers): must precede ldns, see above

#include <ldns/ldns.h>
