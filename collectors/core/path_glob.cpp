#include "collectors/core/path_glob.h"

#include <glob.h>

namespace hostwatch {

std::vector<std::string> GlobMatches(const std::string& pattern) {
  glob_t g{};
  std::vector<std::string> out;
  // No GLOB_ERR: an unreadable directory on the way is one that matches nothing.
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    out.assign(g.gl_pathv, g.gl_pathv + g.gl_pathc);  // glob(3) sorts by name
  }
  ::globfree(&g);
  return out;
}

}  // namespace hostwatch
