#include "harness/stats/series.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace lh::stats {
namespace {

TEST(Series, EmptySeriesHasNoPoints) { EXPECT_TRUE(Series{}.points().empty()); }

TEST(Series, CountsOpsAndPercentilesPerSecond) {
  Series s;
  for (int64_t v = 1; v <= 100; ++v) s.record(0, v);
  for (int64_t v = 1; v <= 10; ++v) s.record(2, 1000 * v);
  const auto pts = s.points();
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_EQ(pts[0].second, 0);
  EXPECT_EQ(pts[0].ops, 100u);
  EXPECT_EQ(pts[0].p50_us, 50);  // below 256: exact with 2 significant digits
  EXPECT_EQ(pts[0].p99_us, 99);
  EXPECT_EQ(pts[2].second, 2);
  EXPECT_EQ(pts[2].ops, 10u);
  EXPECT_NEAR(static_cast<double>(pts[2].p50_us), 5000.0, 5000.0 * 0.01);
  EXPECT_EQ(pts[2].p99_us, 10'000);  // capped at that second's exact max
}

TEST(Series, SecondsWithoutOpsAreZeroPoints) {
  Series s;
  s.record(3, 10);
  const auto pts = s.points();
  ASSERT_EQ(pts.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(pts[static_cast<std::size_t>(i)].second, i);
    EXPECT_EQ(pts[static_cast<std::size_t>(i)].ops, 0u);
    EXPECT_EQ(pts[static_cast<std::size_t>(i)].p50_us, 0);
    EXPECT_EQ(pts[static_cast<std::size_t>(i)].p99_us, 0);
  }
  EXPECT_EQ(pts[3].ops, 1u);
}

TEST(Series, GrowsOnDemandInAnyOrder) {
  Series s;
  s.record(10, 5);
  s.record(2, 7);
  const auto pts = s.points();
  ASSERT_EQ(pts.size(), 11u);
  EXPECT_EQ(pts[2].ops, 1u);
  EXPECT_EQ(pts[10].ops, 1u);
}

TEST(Series, NegativeSecondCountsAsTheFirst) {
  Series s;
  s.record(-1, 5);
  ASSERT_EQ(s.points().size(), 1u);
  EXPECT_EQ(s.points()[0].ops, 1u);
}

TEST(Series, LatenciesAboveSixtySecondsAreClampedToSixty) {
  Series s;
  s.record(0, 90'000'000);
  EXPECT_EQ(s.points()[0].p99_us, 60'000'000);
}

TEST(Series, MergeAddsSecondBySecond) {
  std::mt19937_64 gen(3);
  std::exponential_distribution<double> latency(1.0 / 800);
  Series a, b, all;
  for (int i = 0; i < 20'000; ++i) {
    const int64_t sec = i % 5;
    const auto v = static_cast<int64_t>(latency(gen));
    all.record(sec, v);
    if (i % 3 == 0 && sec < 2) a.record(sec, v);  // a is shorter than b
    else b.record(sec, v);
  }
  a.merge(b);
  const auto m = a.points(), w = all.points();
  ASSERT_EQ(m.size(), w.size());
  for (std::size_t i = 0; i < m.size(); ++i) {
    EXPECT_EQ(m[i].second, w[i].second);
    EXPECT_EQ(m[i].ops, w[i].ops);
    EXPECT_EQ(m[i].p50_us, w[i].p50_us);
    EXPECT_EQ(m[i].p99_us, w[i].p99_us);
  }
}

TEST(Series, MergingIntoAnEmptySeriesCopiesIt) {
  Series a, b;
  b.record(1, 100);
  a.merge(b);
  ASSERT_EQ(a.points().size(), 2u);
  EXPECT_EQ(a.points()[1].ops, 1u);
  EXPECT_EQ(a.points()[1].p50_us, 100);
}

TEST(SecondSpan, WholeSecondsCoverOneAndTheLastCoversWhatIsLeft) {
  // A run whose last op completed 10.25 s after the series' zero: seconds 0..9 are whole, 10 covers 0.25 s.
  for (int64_t s = 0; s < 10; ++s) EXPECT_EQ(second_span_s(s, 10.25), 1.0) << s;
  EXPECT_DOUBLE_EQ(second_span_s(10, 10.25), 0.25);
  EXPECT_DOUBLE_EQ(second_span_s(2, 2.5), 0.5);
  EXPECT_EQ(second_span_s(0, 3.0), 1.0);
}

TEST(SecondSpan, IsRoundedToTheMicrosecondAndStaysInsideZeroToOne) {
  EXPECT_DOUBLE_EQ(second_span_s(10, 10.0004567891), 0.000457);
  EXPECT_DOUBLE_EQ(second_span_s(1, 1.0), 1e-6);  // ended exactly on the boundary: never 0
  EXPECT_DOUBLE_EQ(second_span_s(3, 2.5), 1e-6);  // (a point past the end cannot happen; still > 0)
  EXPECT_EQ(second_span_s(4, 4.9999999), 1.0);    // rounds up to a whole second
  EXPECT_EQ(second_span_s(0, 0.0), 1.0);          // unknown end: a whole second
  EXPECT_EQ(second_span_s(5, -1.0), 1.0);
}

TEST(SecondSpan, ARunEndingMidSecondGivesItsLastPointARateLikeTheOthers) {
  // 1000 ops/s for 3.4 s: the last point holds 400 ops in 0.4 s, the same rate as the whole seconds.
  Series s;
  for (int i = 0; i < 3400; ++i) s.record(i / 1000, 100);
  const double end_s = 3.4;
  const auto pts = s.points();
  ASSERT_EQ(pts.size(), 4u);
  for (const auto& p : pts)
    EXPECT_NEAR(static_cast<double>(p.ops) / second_span_s(p.second, end_s), 1000.0, 1e-6) << p.second;
}

// Seconds older than the last two are packed: the points, a merge and a carried copy are those of whole
// histograms, and an hour costs a few MB, not 70.
TEST(Series, PackedSecondsGiveTheNumbersOfWholeHistograms) {
  std::mt19937_64 r(5);
  Series a, b;
  std::vector<Histogram> ref_a, ref_b;
  auto rec = [](Series& s, std::vector<Histogram>& ref, int64_t sec, int64_t us) {
    while (ref.size() <= static_cast<std::size_t>(sec)) ref.push_back(Series::second_layout());
    ref[static_cast<std::size_t>(sec)].record(us);
    s.record(sec, us);
  };
  for (int64_t sec = 0; sec < 40; ++sec)
    for (int i = 0; i < 500; ++i) {
      const int64_t us = 50 + static_cast<int64_t>(r() % 20000);
      rec(a, ref_a, sec, us);
      if (i % 3 == 0) rec(b, ref_b, sec / 2, us);
      if (i == 7 && sec > 5) rec(a, ref_a, sec - 5, us * 3);  // a late reply into a packed second
    }
  Series c;  // carried to another process, second by second
  a.for_each_second([&](const Histogram& h) { c.append(h); });
  a.merge(b);
  for (std::size_t s = 0; s < ref_b.size(); ++s) ref_a[s].merge(ref_b[s]);
  const auto pa = a.points(), pc = c.points();
  ASSERT_EQ(pa.size(), ref_a.size());
  ASSERT_EQ(pc.size(), ref_a.size());
  for (std::size_t s = 0; s < ref_a.size(); ++s) {
    EXPECT_EQ(pa[s].ops, ref_a[s].count()) << s;
    EXPECT_EQ(pa[s].p50_us, ref_a[s].value_at_percentile(50)) << s;
    EXPECT_EQ(pa[s].p99_us, ref_a[s].value_at_percentile(99)) << s;
  }
  EXPECT_GT(pc[10].ops, 0u);
  EXPECT_LT(a.bytes(), 40 * 4096u + 3 * 25'000u);  // 40 packed seconds of ~500 distinct values, 2 whole ones
  Series hour;
  for (int64_t sec = 0; sec < 3600; ++sec)
    for (int i = 0; i < 50; ++i) hour.record(sec, 100 + (i * 37 + sec) % 3000);
  EXPECT_LT(hour.bytes(), 3600u * 200 + 64'000u) << "an hour of seconds";
}

// A long run in one process: threads move their older seconds into the run's series every tick, which
// turns the seconds every thread has passed into points. The points are those of merging the threads' whole
// series at the end, and the run's series holds 32 bytes a settled second, whatever the run's length.
TEST(Series, AbsorbedAndSettledSecondsGiveTheNumbersOfAWholeMerge) {
  std::mt19937_64 r(11);
  constexpr int64_t kSeconds = 600;
  Series a, b, whole_a, whole_b, run;
  std::size_t passed_a = 0, passed_b = 0, peak = 0;
  for (int64_t sec = 0; sec < kSeconds; ++sec) {
    for (int i = 0; i < 300; ++i) {
      const auto lat = static_cast<int64_t>(1 + r() % 50'000);
      if (r() % 3) {
        a.record(sec, lat);
        whole_a.record(sec, lat);
      } else {
        b.record(sec, lat);
        whole_b.record(sec, lat);
      }
    }
    // Thread a ticks every second, thread b every seventh: b holds the run's settling back.
    passed_a = static_cast<std::size_t>(sec);
    run.absorb(a, passed_a);
    if (sec % 7 == 0) {
      passed_b = static_cast<std::size_t>(sec);
      run.absorb(b, passed_b);
    }
    run.settle(std::min(passed_a, passed_b));
    peak = std::max(peak, run.bytes() + a.bytes() + b.bytes());
  }
  run.absorb(a, SIZE_MAX);
  run.absorb(b, SIZE_MAX);
  EXPECT_EQ(a.first_held(), a.seconds());  // everything moved out
  whole_a.merge(whole_b);
  const auto want = whole_a.points(), got = run.points();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].second, want[i].second) << i;
    EXPECT_EQ(got[i].ops, want[i].ops) << i;
    EXPECT_EQ(got[i].p50_us, want[i].p50_us) << i;
    EXPECT_EQ(got[i].p99_us, want[i].p99_us) << i;
  }
  EXPECT_GT(run.first_held(), static_cast<std::size_t>(kSeconds - 10));
  // Six whole seconds (the two open ones of each of the three series, 20 KB each) and 32 bytes a settled
  // second; the whole series packs every second (~600 bytes each here).
  EXPECT_LT(peak, 6 * 20 * 1024 + 48 * kSeconds);
  EXPECT_GT(whole_a.bytes(), 400u * kSeconds);
  // A settled series cannot give back what it forgot, and says so.
  EXPECT_THROW(run.for_each_second([](const Histogram&) {}), std::logic_error);
  // A thread that records a second it already moved out (its clock never goes back that far) loses nothing.
  Series c;
  c.record(5, 100);
  Series sink;
  sink.absorb(c, 6);
  c.record(3, 200);
  sink.absorb(c, SIZE_MAX);
  uint64_t ops = 0;
  for (const auto& p : sink.points()) ops += p.ops;
  EXPECT_EQ(ops, 2u);
}

}  // namespace
}  // namespace lh::stats
