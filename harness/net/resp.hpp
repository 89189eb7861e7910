// RESP command encoding straight into a reusable buffer: no allocation once the buffer is warm.
// Byte-for-byte what hiredis's redisFormatCommandArgv produces (tests/unit/resp_test.cpp checks this);
// hiredis's version mallocs a fresh string per command, which the hot path avoids.
#pragma once
#include <charconv>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace lh::net::resp {

inline std::size_t decimal_digits(std::size_t n) {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// Writes "<tag><n>\r\n" at p (exactly 3 + decimal_digits(n) bytes); returns the end.
inline char* put_len(char* p, char tag, std::size_t n) {
  *p++ = tag;
  p = std::to_chars(p, p + 20, n).ptr;
  *p++ = '\r';
  *p++ = '\n';
  return p;
}

inline void append_len(std::string& out, char tag, std::size_t n) {
  char buf[24];
  char* end = put_len(buf, tag, n);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

inline void append_bulk(std::string& out, std::string_view arg) {
  append_len(out, '$', arg.size());
  out.append(arg);
  out.append("\r\n", 2);
}

// Sizes the command first, then writes it in place: one resize instead of three appends per argument.
inline void append_command(std::string& out, std::span<const std::string_view> argv) {
  std::size_t total = 3 + decimal_digits(argv.size());
  for (auto a : argv) total += 5 + decimal_digits(a.size()) + a.size();
  const std::size_t old = out.size();
  out.resize(old + total);
  char* p = out.data() + old;
  p = put_len(p, '*', argv.size());
  for (auto a : argv) {
    p = put_len(p, '$', a.size());
    if (!a.empty()) std::memcpy(p, a.data(), a.size());
    p += a.size();
    *p++ = '\r';
    *p++ = '\n';
  }
}

}  // namespace lh::net::resp
