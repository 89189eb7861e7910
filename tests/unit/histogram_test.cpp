#include "harness/stats/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace lh::stats {
namespace {

// Percentiles as integers scaled by 10^4, so the reference rank is computed without floating point.
constexpr int64_t kScale = 10'000;
const std::vector<int64_t> kPercentilesScaled = {0,           1 * kScale,  10 * kScale, 25 * kScale,
                                                 50 * kScale, 75 * kScale, 90 * kScale, 99 * kScale,
                                                 999'000,     999'900,     999'990,     100 * kScale};

// The rank-th smallest value with rank = max(1, ceil(p/100 * n)): the definition value_at_percentile follows.
int64_t reference_percentile(const std::vector<int64_t>& sorted, int64_t p_scaled) {
  const auto n = static_cast<int64_t>(sorted.size());
  const int64_t denom = 100 * kScale;
  int64_t rank = (p_scaled * n + denom - 1) / denom;
  rank = std::clamp<int64_t>(rank, 1, n);
  return sorted[static_cast<std::size_t>(rank - 1)];
}

void expect_matches_reference(const Histogram& h, std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  for (int64_t ps : kPercentilesScaled) {
    const double p = static_cast<double>(ps) / kScale;
    const int64_t want = reference_percentile(values, ps);
    const int64_t got = h.value_at_percentile(p);
    // 3 significant digits: the answer is in the reference value's bucket, at most 0.1% above it.
    EXPECT_GE(got, want) << "p" << p;
    EXPECT_LE(static_cast<double>(got - want), static_cast<double>(want) * 0.001) << "p" << p;
    EXPECT_LE(got, values.back()) << "p" << p;
  }
}

struct Distribution {
  std::string name;
  std::function<int64_t(std::mt19937_64&)> draw;
};
// gtest prints a parameter by name (not its raw bytes, which include a std::function's padding: valgrind
// reported uninitialised reads there).
void PrintTo(const Distribution& d, std::ostream* os) { *os << d.name; }

class HistogramAgainstSortedReference : public ::testing::TestWithParam<Distribution> {};

TEST_P(HistogramAgainstSortedReference, PercentilesAreWithinThreeSignificantDigitsOfTheExactOnes) {
  std::mt19937_64 gen(12345);
  Histogram h;
  std::vector<int64_t> values;
  for (int i = 0; i < 200'000; ++i) {
    const int64_t v = GetParam().draw(gen);
    values.push_back(v);
    h.record(v);
  }
  ASSERT_EQ(h.count(), values.size());
  ASSERT_EQ(h.clamped(), 0u);
  expect_matches_reference(h, values);
  EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
}

INSTANTIATE_TEST_SUITE_P(
    Histogram, HistogramAgainstSortedReference,
    ::testing::Values(
        Distribution{"UniformSmall",
                     [](std::mt19937_64& g) { return std::uniform_int_distribution<int64_t>(0, 1000)(g); }},
        Distribution{
            "UniformMillion",
            [](std::mt19937_64& g) { return std::uniform_int_distribution<int64_t>(1, 1'000'000)(g); }},
        Distribution{"LogUniformOverTheWholeHour",
                     [](std::mt19937_64& g) {
                       const double e = std::uniform_real_distribution<double>(0, std::log(3.6e9))(g);
                       return static_cast<int64_t>(std::exp(e));
                     }},
        Distribution{"ExponentialLatencies",
                     [](std::mt19937_64& g) {
                       return static_cast<int64_t>(std::exponential_distribution<double>(1.0 / 500)(g));
                     }},
        Distribution{"BimodalWithSlowTail",
                     [](std::mt19937_64& g) {
                       if (std::uniform_int_distribution<int>(0, 9)(g) == 0)
                         return static_cast<int64_t>(std::normal_distribution<double>(50'000, 5'000)(g));
                       return static_cast<int64_t>(std::abs(std::normal_distribution<double>(200, 30)(g)));
                     }},
        Distribution{"ParetoHeavyTail",
                     [](std::mt19937_64& g) {
                       const double u = std::uniform_real_distribution<double>(1e-9, 1)(g);
                       return static_cast<int64_t>(std::min(100.0 * std::pow(u, -1.0 / 1.2), 3.0e9));
                     }},
        Distribution{"OneHotValue", [](std::mt19937_64&) { return int64_t{123'457}; }}),
    [](const ::testing::TestParamInfo<Distribution>& info) { return info.param.name; });

TEST(Histogram, ValuesBelowTwiceTenToTheDigitsAreExact) {
  Histogram h;
  for (int64_t v = 0; v < 2048; ++v) h.record(v);
  for (int64_t v = 1; v <= 2048; ++v)
    EXPECT_EQ(h.value_at_percentile(100.0 * static_cast<double>(v) / 2048), v - 1) << v;
}

TEST(Histogram, RankRoundsUpSoP999OfAThousandIsThe999thValue) {
  Histogram h;
  for (int64_t v = 1; v <= 1000; ++v) h.record(v);
  EXPECT_EQ(h.value_at_percentile(50), 500);
  EXPECT_EQ(h.value_at_percentile(99.9), 999);
  EXPECT_EQ(h.value_at_percentile(99.95), 1000);
  EXPECT_EQ(h.value_at_percentile(0.1), 1);
  EXPECT_EQ(h.value_at_percentile(0.15), 2);
}

TEST(Histogram, P0IsTheMinimumsBucketAndP100IsTheExactMaximum) {
  Histogram h;
  h.record(1'234'567);
  h.record(10);
  h.record(987'654'321);
  EXPECT_EQ(h.value_at_percentile(0), 10);
  EXPECT_EQ(h.value_at_percentile(100), 987'654'321);  // exact, not the bucket's upper edge
  EXPECT_EQ(h.max(), 987'654'321);
  const int64_t p50 = h.value_at_percentile(50);
  EXPECT_GE(p50, 1'234'567);
  EXPECT_LE(p50, 1'234'567 + 1'234);
}

TEST(Histogram, PercentilesOutsideZeroToHundredAreClamped) {
  Histogram h;
  h.record(5);
  h.record(7);
  EXPECT_EQ(h.value_at_percentile(-3), 5);
  EXPECT_EQ(h.value_at_percentile(250), 7);
}

TEST(Histogram, MinMaxAndMeanAreExact) {
  std::mt19937_64 gen(7);
  std::uniform_int_distribution<int64_t> dist(3, 3'000'000'000);
  Histogram h;
  int64_t lo = INT64_MAX, hi = 0;
  long double sum = 0;
  for (int i = 0; i < 10'000; ++i) {
    const int64_t v = dist(gen);
    h.record(v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  EXPECT_EQ(h.min(), lo);
  EXPECT_EQ(h.max(), hi);
  EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum / 10'000));
}

TEST(Histogram, RecordNCountsNTimesAndZeroRecordsNothing) {
  Histogram h;
  h.record_n(100, 3);
  h.record_n(1, 0);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.min(), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 100.0);
}

TEST(Histogram, ValuesAboveHighestTrackableAreClampedAndCounted) {
  Histogram h(1'000, 3);
  h.record(500);
  h.record_n(5'000, 2);
  h.record(-4);  // negative clamps to 0
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.clamped(), 3u);
  EXPECT_EQ(h.max(), 1'000);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.value_at_percentile(100), 1'000);
  EXPECT_DOUBLE_EQ(h.mean(), (500.0 + 2'000.0 + 0.0) / 4);
}

TEST(Histogram, TheDefaultRangeHoldsAnHourInMicroseconds) {
  Histogram h;
  h.record(3'600'000'000);
  h.record(INT64_MAX);
  EXPECT_EQ(h.clamped(), 1u);
  EXPECT_EQ(h.max(), 3'600'000'000);
  EXPECT_EQ(h.value_at_percentile(50), 3'600'000'000);
}

TEST(Histogram, EmptyHistogramReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.value_at_percentile(0), 0);
  EXPECT_EQ(h.value_at_percentile(50), 0);
  EXPECT_EQ(h.value_at_percentile(100), 0);
  EXPECT_TRUE(h.percentile_curve().empty());
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 gen(99);
  std::lognormal_distribution<double> dist(7, 2);
  Histogram all;
  std::vector<Histogram> parts(4);
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<int64_t>(dist(gen));
    all.record(v);
    parts[static_cast<std::size_t>(i % 4)].record(v);
  }
  Histogram merged;
  for (const auto& p : parts) merged.merge(p);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.clamped(), all.clamped());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_DOUBLE_EQ(merged.mean(), all.mean());
  for (double p = 0; p <= 100; p += 0.5)
    EXPECT_EQ(merged.value_at_percentile(p), all.value_at_percentile(p)) << p;
  const auto a = all.percentile_curve(), m = merged.percentile_curve();
  ASSERT_EQ(a.size(), m.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].percentile, m[i].percentile);
    EXPECT_EQ(a[i].value, m[i].value);
  }
}

TEST(Histogram, MergingAnEmptyHistogramChangesNothing) {
  Histogram h, empty;
  h.record(42);
  h.merge(empty);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), 42);
  EXPECT_EQ(h.max(), 42);
  empty.merge(h);
  EXPECT_EQ(empty.min(), 42);
}

TEST(Histogram, MergingDifferentLayoutsThrows) {
  Histogram a(1'000'000, 3), b(1'000'000, 2), c(2'000'000, 3);
  EXPECT_THROW(a.merge(b), std::invalid_argument);
  EXPECT_THROW(a.merge(c), std::invalid_argument);
}

TEST(Histogram, InvalidLayoutThrows) {
  EXPECT_THROW(Histogram(1'000, 0), std::invalid_argument);
  EXPECT_THROW(Histogram(1'000, 6), std::invalid_argument);
  EXPECT_THROW(Histogram(0, 3), std::invalid_argument);
}

TEST(Histogram, ResetForgetsEverything) {
  Histogram h;
  h.record(5'000);
  h.record(-1);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.clamped(), 0u);
  EXPECT_EQ(h.max(), 0);
  h.record(7);
  EXPECT_EQ(h.min(), 7);
  EXPECT_EQ(h.max(), 7);
  EXPECT_EQ(h.value_at_percentile(50), 7);
}

TEST(Histogram, EveryDigitCountKeepsItsRelativePrecision) {
  for (int digits = 1; digits <= 5; ++digits) {
    Histogram h(3'600'000'000, digits);
    std::mt19937_64 gen(static_cast<uint64_t>(digits));
    std::vector<int64_t> values;
    for (int i = 0; i < 20'000; ++i) {
      const double e = std::uniform_real_distribution<double>(0, std::log(3.6e9))(gen);
      values.push_back(static_cast<int64_t>(std::exp(e)));
      h.record(values.back());
    }
    std::sort(values.begin(), values.end());
    const double tolerance = std::pow(10.0, -digits);
    for (int64_t ps : kPercentilesScaled) {
      const int64_t want = reference_percentile(values, ps);
      const int64_t got = h.value_at_percentile(static_cast<double>(ps) / kScale);
      EXPECT_GE(got, want) << digits << " digits, p" << ps;
      EXPECT_LE(static_cast<double>(got - want), static_cast<double>(want) * tolerance)
          << digits << " digits";
    }
  }
}

TEST(Histogram, PercentileCurveTicksThroughHalvingsAndEndsAtTheMaximum) {
  Histogram h;
  for (int64_t v = 1; v <= 100'000; ++v) h.record(v);
  const auto curve = h.percentile_curve(5);
  ASSERT_GE(curve.size(), 12u);
  const double expected_start[] = {0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 77.5};
  for (std::size_t i = 0; i < std::size(expected_start); ++i)
    EXPECT_DOUBLE_EQ(curve[i].percentile, expected_start[i]);
  for (std::size_t i = 1; i < curve.size(); ++i) {
    EXPECT_GT(curve[i].percentile, curve[i - 1].percentile);
    EXPECT_GE(curve[i].value, curve[i - 1].value);
  }
  for (const auto& p : curve) {
    if (p.percentile < 100) {
      EXPECT_EQ(p.value, h.value_at_percentile(p.percentile)) << p.percentile;
    }
  }
  EXPECT_EQ(curve.back().percentile, 100.0);
  EXPECT_EQ(curve.back().value, 100'000);
  EXPECT_EQ(curve[5].value, 50'000 + 15);  // p50: upper edge of 50'000's bucket (width 32)
  EXPECT_LT(curve.size(), 100u);           // about 5 points per halving of 1/100'000
}

TEST(Histogram, PercentileCurveOfOneValueIsThatValue) {
  Histogram h;
  h.record(777);
  const auto curve = h.percentile_curve();
  ASSERT_FALSE(curve.empty());
  for (const auto& p : curve) EXPECT_EQ(p.value, 777);
  EXPECT_EQ(curve.back().percentile, 100.0);
}

}  // namespace
}  // namespace lh::stats
