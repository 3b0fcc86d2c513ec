// corporate.pac - an example corporate PAC file, used by the README and pactool's tests.
//
// Policy: plain host names and the intranet go direct; the internal 10/8 and 192.168/16 networks go
// direct; video sites use a dedicated proxy; everything else uses the main proxy with a failover
// proxy, then DIRECT. Cheap string rules come first, one DNS lookup last (see `pactool lint`).
function FindProxyForURL(url, host) {
  host = host.toLowerCase();

  if (isPlainHostName(host) || dnsDomainIs(host, ".corp.example")) {
    return "DIRECT";
  }
  if (shExpMatch(host, "*.video.example") || host == "video.example") {
    return "PROXY video-proxy.corp.example:3128";
  }
  if (url.substring(0, 4) == "ftp:") {
    return "PROXY ftp-proxy.corp.example:2121";
  }

  var ip = dnsResolve(host);
  if (ip && (isInNet(ip, "10.0.0.0", "255.0.0.0") || isInNet(ip, "192.168.0.0", "255.255.0.0"))) {
    return "DIRECT";
  }
  return "PROXY proxy1.corp.example:8080; PROXY proxy2.corp.example:8080; DIRECT";
}
