// XML text escaping for the JUnit writer (and the HTML writer, which has the same rules for text and
// attribute values).
#pragma once
#include <string>

namespace lh::reports {

// Escapes & < > " ' and drops the control characters XML 1.0 forbids (all below 0x20 but \t \n \r).
std::string xml_escape(const std::string& s);

}  // namespace lh::reports
