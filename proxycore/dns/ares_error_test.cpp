#include "proxycore/dns/ares_error.hpp"

#include <ares.h>

#include <catch2/catch.hpp>

using namespace wpadkit;
using namespace wpadkit::dns;

TEST_CASE("c-ares status codes map to wpadkit codes in one table") {
  auto [status, expected] = GENERATE(table<int, std::error_code>({
      {ARES_ENOTFOUND, make_error_code(errc::dns_not_found)},
      {ARES_ENODATA, make_error_code(errc::dns_not_found)},
      {ARES_ENONAME, make_error_code(errc::dns_not_found)},
      {ARES_EBADNAME, make_error_code(errc::dns_not_found)},
      {ARES_ETIMEOUT, make_error_code(errc::dns_timeout)},
      {ARES_ESERVFAIL, make_error_code(errc::dns_failure)},
      {ARES_EREFUSED, make_error_code(errc::dns_failure)},
      {ARES_ECONNREFUSED, make_error_code(errc::dns_failure)},
      {ARES_EBADRESP, make_error_code(errc::dns_failure)},
      {ARES_EFORMERR, make_error_code(errc::dns_failure)},
      {ARES_ENOTIMP, make_error_code(errc::dns_failure)},
      {ARES_ENOMEM, make_error_code(errc::dns_failure)},
      {ARES_EFILE, make_error_code(errc::dns_failure)},
      {ARES_EBADSTR, make_error_code(errc::config)},
      {ARES_ECANCELLED, std::make_error_code(std::errc::operation_canceled)},
      {ARES_EDESTRUCTION, std::make_error_code(std::errc::operation_canceled)},
  }));
  CAPTURE(status);
  CHECK(error_code_from_ares(status) == expected);
}

TEST_CASE("success maps to no error") {
  CHECK_FALSE(error_code_from_ares(ARES_SUCCESS));
}

TEST_CASE("error_from_ares keeps c-ares' description after the context") {
  auto e = error_from_ares(ARES_ENOTFOUND, "cannot resolve 'x.test'");
  CHECK(e.is(errc::dns_not_found));
  CHECK(e.message == std::string("cannot resolve 'x.test': ") + ares_strerror(ARES_ENOTFOUND));
}
