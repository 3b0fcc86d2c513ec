// wpad.dat for corp.example, maintained by the network team (ES2017 style).
// Internal names and networks go direct; partners through their gateway; the rest through the
// two egress proxies with failover.

const PROXIES = {
  primary: 'proxy1.corp.example:3128',
  backup: 'proxy2.corp.example:3128',
  partner: 'partner-gw.corp.example:1080',
};

const INTERNAL_DOMAINS = ['.corp.example', '.intranet.example', 'localhost'];
const INTERNAL_NETS = [
  ['10.0.0.0', '255.0.0.0'],
  ['172.16.0.0', '255.240.0.0'],
  ['192.168.0.0', '255.255.0.0'],
];
const PARTNERS = new Map([
  ['supplier.example', 'partner'],
  ['logistics.example', 'partner'],
]);

const chain = (...names) => names.map((n) => `PROXY ${PROXIES[n]}`).concat('DIRECT').join('; ');

const isInternalName = (host) =>
  INTERNAL_DOMAINS.some((d) => (d.startsWith('.') ? dnsDomainIs(host, d) : host === d));

function isInternalAddress(host, { resolve = false } = {}) {
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  if (!isIp && !resolve) return false;
  return INTERNAL_NETS.some(([net, mask]) => isInNet(host, net, mask));
}

function partnerFor(host) {
  for (const [domain, proxy] of PARTNERS) {
    if (host === domain || dnsDomainIs(host, `.${domain}`)) return proxy;
  }
  return undefined;
}

function FindProxyForURL(url, host) {
  const scheme = url.substring(0, url.indexOf(':'));
  if (isPlainHostName(host) || isInternalName(host)) return 'DIRECT';
  if (isInternalAddress(host)) return 'DIRECT';
  if (!['http', 'https', 'ws', 'wss'].includes(scheme)) return 'DIRECT';
  const partner = partnerFor(host);
  if (partner) return `SOCKS5 ${PROXIES[partner]}; ${chain('primary')}`;
  if (shExpMatch(host, '*.update.example')) return chain('backup', 'primary');
  return chain('primary', 'backup');
}
