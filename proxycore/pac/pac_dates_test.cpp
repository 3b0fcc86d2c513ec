// Tests for weekdayRange, dateRange and timeRange, with the clock pinned and the process time zone set
// to a POSIX TZ string (no tzdata needed). Expected values are worked out by hand from Chromium's
// algorithms (net/proxy_resolution/pac_js_library.h), quirks included: two-argument timeRange does
// not wrap, the 4-argument form keeps the current second in its start, names are case-sensitive.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>

#include "proxycore/dns/fixed_resolver.hpp"
#include "proxycore/pac/pac_engine.hpp"

using namespace wpadkit;
using namespace wpadkit::pac;
using namespace std::chrono_literals;

namespace {

struct scoped_tz {
  explicit scoped_tz(const char* tz) {
    setenv("TZ", tz, 1);
    tzset();
  }
  ~scoped_tz() {
    unsetenv("TZ");
    tzset();
  }
};

// 2026-03-15T10:30:45Z is a Sunday.
constexpr auto sunday_1030_45 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 15} + 10h + 30min + 45s;

engine at(std::chrono::system_clock::time_point now) {
  environment env;
  env.resolver = std::make_shared<dns::fixed_resolver>();
  env.time = fixed_clock(now);
  env.local = fixed_local_addresses({});
  auto e = engine::load("function FindProxyForURL(u, h) { return 'DIRECT'; }", "dates.pac", env);
  if (!e) FAIL(e.error().to_string());
  return std::move(*e);
}

void check_table(engine& e, const std::vector<std::pair<std::string, std::string>>& table) {
  for (const auto& [expr, expected] : table) {
    INFO(expr);
    auto r = e.evaluate_expression(expr);
    if (expected == "throws") {
      CHECK_FALSE(r.has_value());
    } else {
      REQUIRE(r.has_value());
      CHECK(*r == expected);
    }
  }
}

}  // namespace

TEST_CASE("weekdayRange in UTC") {
  scoped_tz tz("UTC0");
  auto e = at(sunday_1030_45);
  check_table(e, {
                     {"weekdayRange('SUN')", "true"},
                     {"weekdayRange('MON')", "false"},
                     {"weekdayRange('MON', 'FRI')", "false"},
                     {"weekdayRange('SAT', 'MON')", "true"},  // wraps
                     {"weekdayRange('FRI', 'SAT')", "false"},
                     {"weekdayRange('sun')", "false"},  // case-sensitive
                     {"weekdayRange()", "false"},
                     {"weekdayRange('SUN', 'GMT')", "true"},
                     {"weekdayRange('XYZ')", "false"},
                     {"weekdayRange('SUN', 'MON', 'TUE')", "true"},  // 3 args: the first day only
                 });
}

TEST_CASE("weekdayRange and GMT across a day boundary") {
  scoped_tz tz("JST-9");
  // 2026-03-15T23:30Z is Monday 08:30 in JST.
  auto e = at(std::chrono::sys_days{std::chrono::year{2026} / 3 / 15} + 23h + 30min);
  check_table(e, {
                     {"weekdayRange('MON')", "true"},
                     {"weekdayRange('SUN')", "false"},
                     {"weekdayRange('SUN', 'GMT')", "true"},
                     {"weekdayRange('MON', 'GMT')", "false"},
                     {"dateRange(16)", "true"},
                     {"dateRange(15, 'GMT')", "true"},
                     {"dateRange(16, 'GMT')", "false"},
                     {"timeRange(8)", "true"},
                     {"timeRange(23, 'GMT')", "true"},
                 });
}

TEST_CASE("dateRange in every argument form") {
  scoped_tz tz("UTC0");
  auto e = at(sunday_1030_45);
  check_table(e, {
                     {"dateRange(15)", "true"},
                     {"dateRange(14)", "false"},
                     {"dateRange('MAR')", "true"},
                     {"dateRange('APR')", "false"},
                     {"dateRange(2026)", "true"},
                     {"dateRange(2025)", "false"},
                     {"dateRange('JAN', 'MAR')", "true"},
                     {"dateRange('APR', 'JUN')", "false"},
                     {"dateRange('NOV', 'MAR')", "true"},  // wraps around the year end
                     {"dateRange(1, 20)", "true"},        // days of the current month
                     {"dateRange(16, 20)", "false"},
                     {"dateRange(10, 5)", "true"},  // wraps: from the 10th to the 5th
                     {"dateRange(1, 'MAR', 31, 'MAR')", "true"},
                     {"dateRange(16, 'MAR', 31, 'MAR')", "false"},
                     {"dateRange(2025, 2027)", "true"},
                     {"dateRange(2027, 2028)", "false"},
                     {"dateRange('MAR', 2026, 'APR', 2026)", "true"},
                     {"dateRange('FEB', 2026, 'FEB', 2026)", "false"},
                     {"dateRange(1, 'JAN', 2026, 15, 'MAR', 2026)", "true"},
                     {"dateRange(1, 'JAN', 2026, 14, 'MAR', 2026)", "false"},
                     {"dateRange(15, 'GMT')", "true"},
                     {"dateRange('MAR', 'GMT')", "true"},
                     {"dateRange()", "false"},
                 });
}

TEST_CASE("timeRange in every argument form") {
  scoped_tz tz("UTC0");
  auto e = at(sunday_1030_45);
  check_table(e, {
                     {"timeRange(10)", "true"},
                     {"timeRange(11)", "false"},
                     {"timeRange(9, 11)", "true"},
                     {"timeRange(10, 10)", "true"},
                     {"timeRange(11, 12)", "false"},
                     {"timeRange(22, 11)", "false"},  // the two-argument form does not wrap
                     {"timeRange(10, 30, 10, 31)", "true"},
                     {"timeRange(10, 31, 11, 0)", "false"},
                     {"timeRange(10, 0, 10, 29)", "false"},
                     {"timeRange(22, 0, 11, 0)", "true"},  // wraps past midnight
                     {"timeRange(10, 30, 45, 10, 30, 45)", "true"},
                     {"timeRange(10, 30, 46, 11, 0, 0)", "false"},
                     {"timeRange(10, 'GMT')", "true"},
                     {"timeRange()", "false"},
                     {"timeRange(1, 2, 3)", "throws"},
                     {"timeRange(1, 2, 3, 4, 5)", "throws"},
                 });
}

TEST_CASE("timeRange with GMT in a shifted zone") {
  scoped_tz tz("JST-9");  // local 19:30:45, same date as UTC
  auto e = at(sunday_1030_45);
  check_table(e, {
                     {"timeRange(19)", "true"},
                     {"timeRange(10)", "false"},
                     {"timeRange(10, 'GMT')", "true"},
                     {"timeRange(10, 0, 11, 0, 'GMT')", "true"},
                     {"timeRange(10, 0, 11, 0)", "false"},
                     {"timeRange(19, 0, 20, 0)", "true"},
                     {"new Date().getHours()", "19"},
                 });
}
