// A plain-text table for terminals and CI logs: columns padded to their widest cell, chosen columns
// right-aligned (numbers), a dashed rule under the header.
#pragma once
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace lh::reports {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void align_right(std::set<size_t> columns) { right_ = std::move(columns); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::set<size_t> right_;
};

}  // namespace lh::reports
