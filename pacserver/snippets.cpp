#include "pacserver/snippets.hpp"

namespace wpadkit::pacserver {

namespace {

struct url_parts {
  std::string host;
  std::string domain;  // host minus its first label ("wpad.corp.example" → "corp.example")
  std::string ip;      // the address a "wpad" record should point at
};

url_parts parts_of(const server_config& config, const std::string& url) {
  url_parts p;
  auto rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest.front() == '[') {
    p.host = rest.substr(1, rest.find(']') - 1);
  } else {
    p.host = rest.substr(0, rest.find(':'));
  }
  if (parse_ip(p.host)) {
    p.ip = p.host;
  } else if (const auto dot = p.host.find('.'); dot != std::string::npos) {
    p.domain = p.host.substr(dot + 1);
  }
  if (p.ip.empty()) {
    for (const auto& l : config.listen) {
      if (l.host != "0.0.0.0" && l.host != "::") {
        p.ip = l.host;
        break;
      }
    }
  }
  if (p.ip.empty()) p.ip = "SERVER_IP";
  if (p.domain.empty()) p.domain = "corp.example";
  return p;
}

}  // namespace

std::string pac_url(const server_config& config) {
  if (!config.public_url.empty()) return config.public_url;
  const auto& l = config.listen.front();
  std::string host = l.host == "0.0.0.0" || l.host == "::" ? "wpad" : l.to_string();
  if (host == "wpad" && l.port != 80) host += ":" + std::to_string(l.port);
  if (host != "wpad" && l.port == 80) host = host.substr(0, host.rfind(':'));
  return "http://" + host + "/wpad.dat";
}

std::string render_snippets(const server_config& config) {
  const std::string url = pac_url(config);
  const auto p = parts_of(config, url);
  const bool v6 = p.ip.find(':') != std::string::npos;
  std::string out;
  out += "# WPAD configuration for " + url + " (from " + config.file + ")\n";
  out += "# DHCP option 252 (WPAD) is asked for by Windows/WinHTTP and Chromium on Windows; DNS\n";
  out += "# (wpad.<domain>) by almost every client. Point both at the same URL.\n";
  if (url.rfind("http://wpad.", 0) != 0 || url.find("/wpad.dat") == std::string::npos) {
    out +=
        "# Note: DNS-WPAD clients always fetch http://wpad.<domain>/wpad.dat on port 80; this "
        "URL\n";
    out += "# works through DHCP only. Set server.public_url to http://wpad." + p.domain +
           "/wpad.dat\n# and listen on port 80 for DNS clients.\n";
  }
  out += "\n## dnsmasq (/etc/dnsmasq.d/wpad.conf)\n";
  out += "dhcp-option=252,\"" + url + "\"\n";
  out += "host-record=wpad." + p.domain + "," + p.ip + "\n";
  out += "\n## ISC dhcpd (/etc/dhcp/dhcpd.conf)\n";
  out += "option wpad code 252 = text;\n";
  out += "# The trailing newline works around Windows clients that drop the last character.\n";
  out += "option wpad \"" + url + "\\n\";\n";
  out += "\n## BIND (zone file of " + p.domain + ")\n";
  out += "wpad    IN " + std::string(v6 ? "AAAA" : "A") + "    " + p.ip + "\n";
  out += "\n## Windows DHCP server (PowerShell)\n";
  out += "Add-DhcpServerv4OptionDefinition -OptionId 252 -Name WPAD -Type String\n";
  out += "Set-DhcpServerv4OptionValue -OptionId 252 -Value \"" + url + "\"\n";
  out += "\n## Windows DNS server (PowerShell)\n";
  out += "Add-DnsServerResourceRecord" +
         std::string(v6 ? "AAAA -IPv6Address " : "A -IPv4Address ") + p.ip +
         " -Name wpad -ZoneName " + p.domain + "\n";
  out += "# Windows DNS answers NXDOMAIN for names on its global query block list, which holds\n";
  out +=
      "# \"wpad\" by default: keep only isatap on it (or: dnscmd /config /globalqueryblocklist "
      "isatap).\n";
  out += "Set-DnsServerGlobalQueryBlockList -List isatap\n";
  return out;
}

}  // namespace wpadkit::pacserver
