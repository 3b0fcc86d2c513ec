// corporate-next.pac - the next version of corporate.pac (for `pactool diff`): video goes through the
// main proxies now, and the lab network has its own proxy.
function FindProxyForURL(url, host) {
  host = host.toLowerCase();

  if (isPlainHostName(host) || dnsDomainIs(host, ".corp.example")) {
    return "DIRECT";
  }
  if (url.substring(0, 4) == "ftp:") {
    return "PROXY ftp-proxy.corp.example:2121";
  }

  var ip = dnsResolve(host);
  if (ip && isInNet(ip, "192.168.0.0", "255.255.0.0")) {
    return "PROXY lab-proxy.corp.example:3128; DIRECT";
  }
  if (ip && isInNet(ip, "10.0.0.0", "255.0.0.0")) {
    return "DIRECT";
  }
  return "PROXY proxy1.corp.example:8080; PROXY proxy2.corp.example:8080; DIRECT";
}
