// result_matches (declared in cases_file.hpp): how `pactool test` compares an expected result.
#include "pactool/cases_file.hpp"
#include "proxycore/model/proxy_list.hpp"

namespace pactool {

bool result_matches(std::string_view expected, std::string_view got) {
  if (expected == got) return true;
  auto want = wpadkit::parse_proxy_list(expected);
  auto have = wpadkit::parse_proxy_list(got);
  if (want.servers == have.servers && want.warnings.empty() && have.warnings.empty()) return true;
  bool single = expected.find(';') == std::string_view::npos;
  return single && want.warnings.empty() && want.servers.size() == 1 && !have.servers.empty() &&
         have.servers.front() == want.servers.front();
}

}  // namespace pactool
