// A minimal XML well-formedness check for the JUnit writer's output: one root element, balanced and properly
// nested tags, quoted attributes, no raw '<' in text or attribute values, only the five predefined entities
// and numeric character references. Not a parser for general XML (no DTD, no CDATA).
#pragma once
#include <string>
#include <vector>

namespace lh::test {

// "" when well-formed, else a one-line description of the first problem with its byte offset.
std::string xml_well_formed_error(const std::string& xml);

// Element names in document order (open tags and empty-element tags), e.g. {"testsuites", "testsuite", ...}.
std::vector<std::string> xml_element_names(const std::string& xml);

}  // namespace lh::test
