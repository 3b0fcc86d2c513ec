#include "proxycore/wpad/lease_files.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace wpadkit;
using namespace wpadkit::wpad;

TEST_CASE("dhclient leases: the last lease's option 252 wins, escapes and hex decoded") {
  const char* text = R"(lease {
  interface "eth0";
  fixed-address 10.0.0.5;
  option wpad "http://old.corp/wpad.dat";
}
lease {
  interface "eth1";
  fixed-address 10.0.0.6;
  option wpad "http://new.corp/wpad.dat\012";
  renew 4 2026/11/26 10:00:00;
}
)";
  auto r = read_dhclient_lease(text);
  REQUIRE(r);
  CHECK(r->interface == "eth1");
  CHECK(r->value == "http://new.corp/wpad.dat\n");

  auto hex = read_dhclient_lease("lease {\n option unknown-252 68:74:74:70:3a:2f:2f:61:0;\n}\n");
  REQUIRE(hex);
  CHECK(hex->value == std::string("http://a\0", 9));

  CHECK_FALSE(read_dhclient_lease("lease {\n option routers 10.0.0.1;\n}\n"));
}

TEST_CASE("NetworkManager and systemd-networkd lease formats") {
  auto nm = read_networkmanager_lease("[device]\nmanaged=true\n[dhcp4]\nip_address=10.0.0.5\nwpad=http://a/w.dat\n");
  REQUIRE(nm);
  CHECK(nm->value == "http://a/w.dat");
  CHECK_FALSE(read_networkmanager_lease("[device]\nwpad=http://not-dhcp/\n"));

  auto nd = read_networkd_lease("# This is private data. Do not parse.\nADDRESS=10.0.0.5\nOPTION_252=687474703a2f2f61\n");
  REQUIRE(nd);
  CHECK(nd->value == "http://a");
  CHECK_FALSE(read_networkd_lease("ADDRESS=10.0.0.5\n"));
}

TEST_CASE("the lease source reads the files under a root, and says when there are none") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("wpadkit-lease-" + std::to_string(::getpid()));
  fs::create_directories(root / "var/lib/dhcp");
  fs::create_directories(root / "run/systemd/netif/leases");
  std::ofstream(root / "var/lib/dhcp/dhclient.eth0.leases") << "lease {\n interface \"eth0\";\n option wpad \"http://d/w.dat\";\n}\n";
  std::ofstream(root / "run/systemd/netif/leases/2") << "ADDRESS=10.0.0.5\n";
  auto lookups = dhcp_lease_source(root.string()).query();
  const auto empty_root = root / "empty";
  fs::create_directories(empty_root);
  auto none = dhcp_lease_source(empty_root.string()).query();
  fs::remove_all(root);

  REQUIRE(lookups.size() == 2);
  REQUIRE(lookups[0].option252.has_value());
  CHECK(*lookups[0].option252.value() == "http://d/w.dat");
  CHECK_THAT(lookups[0].source, Catch::Contains("dhclient.eth0.leases") && Catch::Contains("(eth0)"));
  REQUIRE(lookups[1].option252.has_value());
  CHECK_FALSE(lookups[1].option252.value().has_value());

  REQUIRE(none.size() == 1);
  REQUIRE(none[0].option252.has_error());
  CHECK_THAT(none[0].option252.error().message, Catch::Contains("no dhclient"));
}
