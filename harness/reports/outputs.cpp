#include "harness/reports/outputs.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "harness/reports/gbench.hpp"
#include "harness/reports/html.hpp"
#include "harness/reports/junit.hpp"
#include "harness/reports/markdown.hpp"
#include "harness/util/secrets.hpp"

namespace lh::reports {

void write_text_file(const std::string& path, const std::string& raw, const std::string& flag, bool append) {
  const std::string text = redact(raw);  // every output passes here (util/secrets.hpp)
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  std::ofstream f(path, append ? std::ios::app : std::ios::trunc);
  if (!f) throw std::runtime_error(flag + " " + path + ": cannot open for writing: " + std::strerror(errno));
  f << text;
  f.close();
  if (!f) throw std::runtime_error(flag + " " + path + ": write failed: " + std::strerror(errno));
}

void write_outputs(const Report& report, const OutputOptions& o) {
  std::string first_error;
  auto attempt = [&](auto&& write) {
    try {
      write();
    } catch (const std::exception& e) {
      if (first_error.empty()) first_error = e.what();
    }
  };
  if (!o.html.empty()) attempt([&] { write_text_file(o.html, to_html(report), "--html"); });
  if (!o.markdown.empty())
    attempt([&] {
      if (o.markdown == "github") {
        const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
        if (!summary || !*summary)
          throw std::runtime_error(
              "--markdown github: $GITHUB_STEP_SUMMARY is not set (it is set inside GitHub Actions; "
              "elsewhere give a file name or -)");
        write_text_file(summary, to_markdown(report) + "\n", "--markdown github ($GITHUB_STEP_SUMMARY)",
                        true);
      } else {
        write_text_file(o.markdown, to_markdown(report), "--markdown");
      }
    });
  if (!o.junit.empty()) attempt([&] { write_text_file(o.junit, to_junit_xml(report), "--junit"); });
  if (!o.gbench.empty())
    attempt([&] { write_text_file(o.gbench, to_gbench_json(report).dump(2) + "\n", "--gbench"); });
  if (!first_error.empty()) throw std::runtime_error(first_error);
}

}  // namespace lh::reports
