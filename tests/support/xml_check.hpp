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

// Jenkins' junit-10.xsd, as kept in tests/data/junit-10.xsd (from jenkinsci/xunit-plugin, MIT).
std::string junit_xsd_path();

// True when `xmllint` (libxml2-utils) is on PATH.
bool xmllint_available();

// Runs `xmllint --noout --schema XSD` on the document (written to a temporary file). "" when it validates,
// else xmllint's messages (or why xmllint could not run).
std::string xmllint_schema_errors(const std::string& xml, const std::string& xsd_path);

}  // namespace lh::test
