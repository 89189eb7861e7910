#include "support/xml_check.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace lh::test {

namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool name_char(char c) {
  return name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

// Checks "&...;" at i; returns its length, or 0 when not a valid reference.
size_t entity_length(const std::string& s, size_t i) {
  size_t semi = s.find(';', i);
  if (semi == std::string::npos || semi - i > 10) return 0;
  std::string body = s.substr(i + 1, semi - i - 1);
  if (body == "amp" || body == "lt" || body == "gt" || body == "quot" || body == "apos") return semi - i + 1;
  if (body.size() > 1 && body[0] == '#') {
    bool hex = body[1] == 'x';
    for (size_t k = hex ? 2 : 1; k < body.size(); ++k)
      if (!(hex ? std::isxdigit(static_cast<unsigned char>(body[k]))
                : std::isdigit(static_cast<unsigned char>(body[k]))))
        return 0;
    return body.size() > (hex ? 2u : 1u) ? semi - i + 1 : 0;
  }
  return 0;
}

struct Scan {
  const std::string& s;
  std::vector<std::string> names;
  std::string error;

  bool fail(size_t at, const std::string& why) {
    error = why + " at byte " + std::to_string(at);
    return false;
  }

  bool text(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      if (s[i] == '&') {
        size_t n = entity_length(s, i);
        if (!n) return fail(i, "unescaped '&' in text");
        i += n - 1;
      } else if (s[i] == '>') {
        // Allowed by XML, but the writer escapes it: a raw '>' means something was not escaped.
        return fail(i, "raw '>' in text");
      }
    }
    return true;
  }

  bool run() {
    size_t i = 0;
    if (s.compare(0, 5, "<?xml") == 0) {
      i = s.find("?>");
      if (i == std::string::npos) return fail(0, "unterminated XML declaration");
      i += 2;
    }
    std::vector<std::string> stack;
    bool root_seen = false;
    while (i < s.size()) {
      size_t lt = s.find('<', i);
      if (lt == std::string::npos) lt = s.size();
      if (stack.empty()) {
        for (size_t k = i; k < lt; ++k)
          if (!std::isspace(static_cast<unsigned char>(s[k])))
            return fail(k, "text outside the root element");
      } else if (!text(i, lt)) {
        return false;
      }
      if (lt == s.size()) break;
      if (s.compare(lt, 4, "<!--") == 0) {
        size_t end = s.find("-->", lt);
        if (end == std::string::npos) return fail(lt, "unterminated comment");
        i = end + 3;
        continue;
      }
      bool closing = lt + 1 < s.size() && s[lt + 1] == '/';
      size_t p = lt + (closing ? 2 : 1);
      size_t name_from = p;
      if (p >= s.size() || !name_start(s[p])) return fail(p, "bad tag name");
      while (p < s.size() && name_char(s[p])) ++p;
      std::string name = s.substr(name_from, p - name_from);
      if (closing) {
        while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
        if (p >= s.size() || s[p] != '>') return fail(p, "bad closing tag </" + name);
        if (stack.empty() || stack.back() != name)
          return fail(
              lt, "closing tag </" + name + "> does not match <" + (stack.empty() ? "" : stack.back()) + ">");
        stack.pop_back();
        i = p + 1;
        continue;
      }
      if (stack.empty() && root_seen) return fail(lt, "a second root element <" + name + ">");
      root_seen = true;
      names.push_back(name);
      // attributes
      for (;;) {
        size_t ws = p;
        while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
        if (p >= s.size()) return fail(p, "unterminated tag <" + name);
        if (s[p] == '>') {
          stack.push_back(name);
          i = p + 1;
          break;
        }
        if (s.compare(p, 2, "/>") == 0) {
          i = p + 2;
          break;
        }
        if (p == ws) return fail(p, "missing space before an attribute in <" + name);
        size_t attr_from = p;
        while (p < s.size() && name_char(s[p])) ++p;
        if (p == attr_from) return fail(p, "bad attribute name in <" + name);
        if (p >= s.size() || s[p] != '=') return fail(p, "attribute without '=' in <" + name);
        ++p;
        if (p >= s.size() || (s[p] != '"' && s[p] != '\''))
          return fail(p, "unquoted attribute value in <" + name);
        char q = s[p++];
        size_t end = s.find(q, p);
        if (end == std::string::npos) return fail(p, "unterminated attribute value in <" + name);
        for (size_t k = p; k < end; ++k) {
          if (s[k] == '<') return fail(k, "raw '<' in an attribute value");
          if (s[k] == '&') {
            size_t n = entity_length(s, k);
            if (!n) return fail(k, "unescaped '&' in an attribute value");
            k += n - 1;
          }
        }
        p = end + 1;
      }
    }
    if (!stack.empty()) return fail(s.size(), "unclosed <" + stack.back() + ">");
    if (!root_seen) return fail(0, "no root element");
    return true;
  }
};

}  // namespace

std::string xml_well_formed_error(const std::string& xml) {
  Scan scan{xml, {}, {}};
  scan.run();
  return scan.error;
}

std::vector<std::string> xml_element_names(const std::string& xml) {
  Scan scan{xml, {}, {}};
  scan.run();
  return scan.names;
}

std::string junit_xsd_path() { return std::string(LH_TESTDATA_DIR) + "/junit-10.xsd"; }

bool xmllint_available() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

std::string xmllint_schema_errors(const std::string& xml, const std::string& xsd_path) {
  char tmpl[] = "/tmp/lh-junit-XXXXXX.xml";
  int fd = mkstemps(tmpl, 4);
  if (fd < 0) return "cannot create a temporary file";
  close(fd);
  std::ofstream(tmpl, std::ios::binary) << xml;
  // Paths are ours (mkstemps, the source tree): no shell quoting problem beyond the single quotes.
  const std::string cmd = "xmllint --noout --schema '" + xsd_path + "' '" + tmpl + "' 2>&1";
  std::string out;
  int status = -1;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    status = pclose(p);
  }
  std::remove(tmpl);
  if (status == 0) return "";
  return out.empty() ? "xmllint could not run (status " + std::to_string(status) + ")" : out;
}

}  // namespace lh::test
