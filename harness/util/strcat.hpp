// cat("a", b, 'c', 42): concatenation by appending. Also sidesteps GCC 12's false -Wrestrict on
// `"literal" + std::string` (GCC bug 105651).
#pragma once
#include <string>
#include <string_view>
#include <type_traits>

namespace lh {

namespace detail {
inline void cat_one(std::string& out, std::string_view s) { out.append(s); }
inline void cat_one(std::string& out, char c) { out.push_back(c); }
template <class T>
requires std::is_arithmetic_v<T> &&(!std::is_same_v<T, char>)inline void cat_one(std::string& out, T v) {
  out.append(std::to_string(v));
}
}  // namespace detail

template <class... T>
std::string cat(const T&... parts) {
  std::string out;
  (detail::cat_one(out, parts), ...);
  return out;
}

}  // namespace lh
