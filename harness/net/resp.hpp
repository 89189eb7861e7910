// RESP command encoding straight into a reusable buffer: no allocation once the buffer is warm.
// Byte-for-byte what hiredis's redisFormatCommandArgv produces (tests/unit/resp_test.cpp checks this);
// hiredis's version mallocs a fresh string per command, which the hot path avoids.
#pragma once
#include <charconv>
#include <span>
#include <string>
#include <string_view>

namespace lh::net::resp {

inline void append_len(std::string& out, char tag, std::size_t n) {
  char buf[24];
  buf[0] = tag;
  auto r = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  *r.ptr++ = '\r';
  *r.ptr++ = '\n';
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

inline void append_bulk(std::string& out, std::string_view arg) {
  append_len(out, '$', arg.size());
  out.append(arg);
  out.append("\r\n", 2);
}

inline void append_command(std::string& out, std::span<const std::string_view> argv) {
  append_len(out, '*', argv.size());
  for (auto a : argv) append_bulk(out, a);
}

}  // namespace lh::net::resp
