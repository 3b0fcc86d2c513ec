// lint-pitfalls.pac - a PAC that loads and works but trips most of `pactool lint`'s warnings.
function FindProxyForURL(url, host) {
  if (isInNet(host, "10.0.0.0", "255.0.0.0")) return "DIRECT";
  if (isInNet(host, "172.16.0.0", "255.240.0.0")) return "DIRECT";
  if (dnsDomainIs(host, "example.com")) return "DIRECT";
  if (shExpMatch(host, "(www|api).example.net")) return "DIRECT";
  if (timeRange(8, 0, 17)) return "SOCKS socks.example.net:1080";
  if (myIpAddress() == "192.168.1.10") return "HTTPS secure-proxy.example.net:443";
  return "PROXY proxy.example.net:8080; DIRECT";
}
