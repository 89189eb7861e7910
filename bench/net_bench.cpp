// Command encoding and reply parsing, the per-op CPU of the connection layer: ours against hiredis's own
// (redisFormatCommandArgv mallocs a string per command; its default reader callocs a struct per reply).
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "harness/net/reply.hpp"
#include "harness/net/resp.hpp"

namespace {

// The seed's rate limiter call, as the harness sends it.
constexpr std::array<std::string_view, 7> kArgv = {"EVALSHA",
                                                   "af38e1b6bf2fe7b5b4dbb28cd481098fc6b2018d",
                                                   "1",
                                                   "lh:b757d698:ratelimit:user:18",
                                                   "60",
                                                   "100",
                                                   "1700000000000"};

void BM_EncodeEvalsha_Ours(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    lh::net::resp::append_command(out, kArgv);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_EncodeEvalsha_Ours);

void BM_EncodeEvalsha_HiredisFormat(benchmark::State& state) {
  std::array<const char*, kArgv.size()> ptrs;
  std::array<size_t, kArgv.size()> lens;
  for (std::size_t i = 0; i < kArgv.size(); ++i) {
    ptrs[i] = kArgv[i].data();
    lens[i] = kArgv[i].size();
  }
  for (auto _ : state) {
    char* cmd = nullptr;
    int n = redisFormatCommandArgv(&cmd, static_cast<int>(ptrs.size()), ptrs.data(), lens.data());
    benchmark::DoNotOptimize(n);
    redisFreeCommand(cmd);
  }
}
BENCHMARK(BM_EncodeEvalsha_HiredisFormat);

struct ReaderFree {
  void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
};
using ReaderPtr = std::unique_ptr<redisReader, ReaderFree>;

// Parses a pipeline's worth of integer replies (what the rate limiter answers) fed in one read, then frees them.
// `pooled`: the replies go back through our free list (Reply); otherwise through hiredis's freeReplyObject.
void parse_pipeline(benchmark::State& state, redisReader* rd, bool pooled) {
  const int depth = static_cast<int>(state.range(0));
  std::string bytes;
  for (int i = 0; i < depth; ++i) bytes += (i % 3 ? ":1\r\n" : ":0\r\n");
  for (auto _ : state) {
    redisReaderFeed(rd, bytes.data(), bytes.size());
    for (int i = 0; i < depth; ++i) {
      void* r = nullptr;
      redisReaderGetReply(rd, &r);
      benchmark::DoNotOptimize(static_cast<redisReply*>(r)->integer);
      if (pooled) lh::net::free_reply_object(r);
      else freeReplyObject(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * depth);
}

void BM_ParseIntegerReplies_Pooled(benchmark::State& state) {
  ReaderPtr rd(redisReaderCreateWithFunctions(lh::net::pooled_reply_functions()));
  parse_pipeline(state, rd.get(), true);
}
BENCHMARK(BM_ParseIntegerReplies_Pooled)->Arg(1)->Arg(16);

void BM_ParseIntegerReplies_HiredisDefault(benchmark::State& state) {
  ReaderPtr rd(redisReaderCreate());
  parse_pipeline(state, rd.get(), false);
}
BENCHMARK(BM_ParseIntegerReplies_HiredisDefault)->Arg(1)->Arg(16);

// A bulk-string array reply (e.g. a leaderboard's ZREVRANGE ... WITHSCORES of 10 members).
void BM_ParseArrayReply_Pooled(benchmark::State& state) {
  ReaderPtr rd(redisReaderCreateWithFunctions(lh::net::pooled_reply_functions()));
  std::string bytes = "*20\r\n";
  for (int i = 0; i < 10; ++i)
    bytes += "$9\r\nmember:0" + std::to_string(i) + "\r\n$3\r\n" + std::to_string(100 + i) + "\r\n";
  for (auto _ : state) {
    redisReaderFeed(rd.get(), bytes.data(), bytes.size());
    void* r = nullptr;
    redisReaderGetReply(rd.get(), &r);
    lh::net::Reply reply(static_cast<redisReply*>(r));
    benchmark::DoNotOptimize(reply.elements());
  }
}
BENCHMARK(BM_ParseArrayReply_Pooled);

}  // namespace
