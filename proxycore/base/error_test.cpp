#include "proxycore/base/error.hpp"

#include <catch2/catch.hpp>

using wpadkit::errc;
using wpadkit::error;

TEST_CASE("error formats its place and message on one line") {
  CHECK(error(errc::pac_syntax, "unexpected token").at("proxy.pac", 3, 7).to_string() ==
        "proxy.pac:3:7: unexpected token");
  CHECK(error(errc::io, "cannot open").at("x.pac").to_string() == "x.pac: cannot open");
  CHECK(error(errc::pac_exception, "boom").at("", 12).to_string() == "line 12: boom");
  // With no message of its own, the category's message is used.
  CHECK(error(errc::dns_timeout).to_string() == "DNS lookup timed out");
}

TEST_CASE("errc codes compare through std::error_code and have stable names") {
  error e(errc::pac_timeout);
  CHECK(e.is(errc::pac_timeout));
  CHECK_FALSE(e.is(errc::pac_memory));
  CHECK(e.code == std::error_code(errc::pac_timeout));
  CHECK(std::string(wpadkit::errc_name(errc::pac_no_entrypoint)) == "no-entrypoint");
  CHECK(e.code.category().name() == std::string("wpadkit"));
}

TEST_CASE("result carries a value or an error, and value() throws the error") {
  wpadkit::result<int> ok = 5;
  REQUIRE(ok.has_value());
  CHECK(*ok == 5);
  wpadkit::result<int> bad = error(errc::parse, "not a number").at("cases.txt", 4);
  REQUIRE(bad.has_error());
  CHECK(bad.error().line == 4);
  CHECK_THROWS_AS(bad.value(), wpadkit::error_exception);
}
