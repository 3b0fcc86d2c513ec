#include "pactool/proxy_wpad_watch.hpp"

#include <catch2/catch.hpp>

using namespace pactool;
namespace wpad = wpadkit::wpad;

TEST_CASE("describe_discovery: the URL and how it was found, or what was tried") {
  wpad::discovery d;
  SECTION("found by DHCP") {
    wpad::discovered_pac f;
    f.url = "http://10.0.0.1/wpad.dat";
    f.method = wpad::discovery_method::dhcp;
    f.how = "option 252 from DHCPINFORM on eth0 (server 10.0.0.1)";
    d.found.push_back(f);
    CHECK(describe_discovery(d) ==
          "WPAD found http://10.0.0.1/wpad.dat by DHCP (option 252 from DHCPINFORM on eth0 (server "
          "10.0.0.1))");
  }
  SECTION("found by DNS") {
    wpad::discovered_pac f;
    f.url = "http://wpad.corp.test/wpad.dat";
    f.method = wpad::discovery_method::dns;
    f.how = "DNS wpad.corp.test -> 10.0.0.1";
    d.found.push_back(f);
    CHECK(describe_discovery(d) ==
          "WPAD found http://wpad.corp.test/wpad.dat by DNS (DNS wpad.corp.test -> 10.0.0.1)");
  }
  SECTION("nothing: each step tried, skipped ones left out") {
    d.steps.push_back({"dhcp", "DHCPINFORM on eth0", "error", "no answer", {}});
    d.steps.push_back({"dns", "wpad.lab.corp.test", "skipped", "", {}});
    d.steps.push_back({"dns", "wpad.corp.test", "none", "NXDOMAIN", {}});
    CHECK(describe_discovery(d) ==
          "WPAD found no PAC (dhcp DHCPINFORM on eth0: error (no answer); dns wpad.corp.test: none "
          "(NXDOMAIN))");
  }
  SECTION("located but unusable") {
    d.located_unusable = true;
    d.steps.push_back({"fetch", "http://wpad.corp.test/wpad.dat", "rejected", "status 404", {}});
    CHECK(describe_discovery(d) ==
          "WPAD found no PAC: a PAC was located but none is usable (fetch "
          "http://wpad.corp.test/wpad.dat: rejected (status 404))");
  }
}
