// "Did you mean ...?" for a misspelt name (a flag, a config key): the candidate
// closest to the given name by edit distance, if it is close enough to be a typo.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hostwatch {

// Levenshtein distance (insertions, deletions, substitutions each cost 1).
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `name`, when at most max(2, |name| / 5) edits away (a typo, not
// another word); ties go to the first candidate in order. nullopt when none is that close.
std::optional<std::string> ClosestName(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace hostwatch
