#pragma once
// Where bundled resources (demo models, pair datasets, probe corpus) live:
// $SB_RESOURCE_DIR, else <prefix>/share/steerbridge next to the installed
// binary, else the source tree's resources/ (development builds).

#include <string>

namespace sb {

/// Directory holding models/, pairs/ ..., or an empty string if none is found.
std::string resourceDirectory(const std::string& executablePath = {});
/// resourceDirectory() + "/" + relative, or empty if that does not exist.
std::string resourcePath(const std::string& relative, const std::string& executablePath = {});

} // namespace sb
