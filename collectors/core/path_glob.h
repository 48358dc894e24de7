// Shell-style path patterns ("*", "?", "[...]") on the real file system, as the textfile
// collector's directories and the x509_files watcher take them.
#pragma once

#include <string>
#include <vector>

namespace hostwatch {

// The paths pattern matches now, in name order (glob(3); no "~" or "{a,b}", as Go's
// filepath.Glob). A path without wildcards matches itself when it exists. Empty when nothing
// matches; a directory that cannot be read on the way is one that matches nothing.
std::vector<std::string> GlobMatches(const std::string& pattern);

}  // namespace hostwatch
