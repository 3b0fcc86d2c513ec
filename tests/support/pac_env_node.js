// An independent PAC evaluator for the tests: node (V8) runs a PAC file in a fresh context holding
// the PAC helper functions as Chromium defines them (net/proxy_resolution/pac_js_library.h, itself
// Mozilla's ProxyAutoConfig.cpp: dnsDomainIs, shExpMatch, isInNet, ... written in JavaScript there
// and here), plus the native ones Chromium binds (dnsResolve, myIpAddress, isResolvable) over a fixed
// table. Prints one answer per URL, as `pactool eval` does.
//
//   node pac_env_node.js --pac FILE [--dns NAME=IP]... [--my-ip IP] URL...
//
// The host argument is the URL's host, lower-cased, brackets removed (what Chromium passes).
'use strict';
const fs = require('fs');
const vm = require('vm');

const args = process.argv.slice(2);
let pacFile = null;
let myIp = '127.0.0.1';
const dns = new Map();
const urls = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--pac') pacFile = args[++i];
  else if (args[i] === '--dns') {
    const [name, ip] = args[++i].split('=');
    dns.set(name.toLowerCase(), ip);
  } else if (args[i] === '--my-ip') myIp = args[++i];
  else urls.push(args[i]);
}
if (!pacFile) {
  console.error('usage: node pac_env_node.js --pac FILE [--dns NAME=IP]... [--my-ip IP] URL...');
  process.exit(2);
}

// Chromium's PAC JavaScript library (pac_js_library.h), function by function.
const library = `
function dnsDomainIs(host, domain) {
  return (host.length >= domain.length &&
          host.substring(host.length - domain.length) == domain);
}
function dnsDomainLevels(host) {
  return host.split('.').length - 1;
}
function isValidIpAddress(pattern) {
  var re = /^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$/;
  var m = re.exec(pattern);
  if (m == null) return false;
  return !(m[1] > 255 || m[2] > 255 || m[3] > 255 || m[4] > 255);
}
function convert_addr(ipchars) {
  var bytes = ipchars.split('.');
  var result = ((bytes[0] & 0xff) << 24) |
               ((bytes[1] & 0xff) << 16) |
               ((bytes[2] & 0xff) <<  8) |
                (bytes[3] & 0xff);
  return result;
}
function isInNet(ipaddr, pattern, maskstr) {
  if (!isValidIpAddress(pattern) || !isValidIpAddress(maskstr)) return false;
  if (!isValidIpAddress(ipaddr)) {
    ipaddr = dnsResolve(ipaddr);
    if (ipaddr == null) return false;
  }
  var host = convert_addr(ipaddr);
  var pat  = convert_addr(pattern);
  var mask = convert_addr(maskstr);
  return ((host & mask) == (pat & mask));
}
function isPlainHostName(host) {
  return (host.search('(\\\\.)|:') == -1);
}
function isResolvable(host) {
  var ip = dnsResolve(host);
  return (ip != null);
}
function localHostOrDomainIs(host, hostdom) {
  return (host == hostdom) ||
         (hostdom.lastIndexOf(host + '.', 0) == 0);
}
function shExpMatch(url, pattern) {
  pattern = pattern.replace(/\\./g, '\\\\.');
  pattern = pattern.replace(/\\*/g, '.*');
  pattern = pattern.replace(/\\?/g, '.');
  var newRe = new RegExp('^' + pattern + '$');
  return newRe.test(url);
}
`;

function hostOf(url) {
  let rest = url.slice(url.indexOf('://') + 3);
  rest = rest.split('/')[0].split('?')[0];
  if (rest.includes('@')) rest = rest.slice(rest.lastIndexOf('@') + 1);
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']')).toLowerCase();
  const colon = rest.lastIndexOf(':');
  return (colon >= 0 ? rest.slice(0, colon) : rest).toLowerCase();
}

const context = vm.createContext({
  dnsResolve: (host) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? host : dns.get(String(host).toLowerCase()) ?? null),
  myIpAddress: () => myIp,
  alert: () => {},
});
vm.runInContext(library, context, { filename: 'pac_js_library.js' });
vm.runInContext(fs.readFileSync(pacFile, 'utf8'), context, { filename: pacFile });
for (const url of urls) {
  context.__url = url;
  context.__host = hostOf(url);
  console.log(String(vm.runInContext('FindProxyForURL(__url, __host)', context)));
}
