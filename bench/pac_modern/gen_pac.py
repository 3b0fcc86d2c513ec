#!/usr/bin/env python3
"""Generates the inputs of bench/pac_modern/run.sh (fixed seed): the same two PACs written twice,
once in ES2015+ style and once in ES5, with the same answers.

  modern-10k.pac / es5-10k.pac    a corporate PAC (~10 KB): rule tables, helpers, comments
  modern-100k.pac / es5-100k.pac  a gfwlist-style PAC (~100 KB): one long domain list and a lookup

usage: gen_pac.py OUT_DIR
"""
import os
import random
import sys

rng = random.Random(20261207)


def name(lo=4, hi=10):
    return ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(lo, hi)))


def domain():
    return name() + rng.choice(['.com', '.net', '.org', '.io', '.example'])


def corporate(modern):
    groups = []
    for g in range(14):
        groups.append((name(5, 8), [domain() for _ in range(8)], 'PROXY %s.corp.example:%d' % (name(4, 6), 3128 + g)))
    nets = [('10.%d.0.0' % i, '255.255.0.0') for i in range(12)]
    out = ['// Corporate proxy auto-configuration, generated for bench/pac_modern.',
           '// Each group of partner domains has its own egress proxy; internal nets go DIRECT.', '']
    if modern:
        out.append('const FALLBACK = "DIRECT";')
        out.append('const groups = [')
        for gname, doms, proxy in groups:
            out.append('  { name: `%s`, proxy: "%s", domains: [%s] },' % (gname, proxy, ', '.join('"%s"' % d for d in doms)))
        out.append('];')
        out.append('const internalNets = [')
        out.extend('  ["%s", "%s"],' % n for n in nets)
        out.append('];')
        out.append('')
        out.append('// True when host is the domain or one of its subdomains.')
        out.append('const inDomain = (host, d) => host === d || host.endsWith(`.${d}`);')
        out.append('const isInternal = (host) => internalNets.some(([net, mask]) => isInNet(host, net, mask));')
        out.append('')
        out.append('function route(host, { strict = false } = {}) {')
        out.append('  for (const { name, proxy, domains } of groups) {')
        out.append('    if (domains.some((d) => inDomain(host, d))) return strict ? proxy : `${proxy}; ${FALLBACK}`;')
        out.append('  }')
        out.append('  return null;')
        out.append('}')
        out.append('')
        out.append('function FindProxyForURL(url, host) {')
        out.append('  const [scheme] = url.split(":");')
        out.append('  if (isPlainHostName(host) || /^\\d+\\.\\d+\\.\\d+\\.\\d+$/.test(host) && isInternal(host)) return FALLBACK;')
        out.append('  const routed = route(host, { strict: scheme === "https" });')
        out.append('  return routed ?? `PROXY default.corp.example:8080; ${FALLBACK}`;')
        out.append('}')
    else:
        out.append('var FALLBACK = "DIRECT";')
        out.append('var groups = [')
        for gname, doms, proxy in groups:
            out.append('  { name: "%s", proxy: "%s", domains: [%s] },' % (gname, proxy, ', '.join('"%s"' % d for d in doms)))
        out.append('];')
        out.append('var internalNets = [')
        out.extend('  ["%s", "%s"],' % n for n in nets)
        out.append('];')
        out.append('')
        out.append('// True when host is the domain or one of its subdomains.')
        out.append('function inDomain(host, d) { return host === d || dnsDomainIs(host, "." + d); }')
        out.append('function isInternal(host) {')
        out.append('  for (var i = 0; i < internalNets.length; i++) if (isInNet(host, internalNets[i][0], internalNets[i][1])) return true;')
        out.append('  return false;')
        out.append('}')
        out.append('')
        out.append('function route(host, strict) {')
        out.append('  for (var g = 0; g < groups.length; g++) {')
        out.append('    for (var i = 0; i < groups[g].domains.length; i++) {')
        out.append('      if (inDomain(host, groups[g].domains[i])) return strict ? groups[g].proxy : groups[g].proxy + "; " + FALLBACK;')
        out.append('    }')
        out.append('  }')
        out.append('  return null;')
        out.append('}')
        out.append('')
        out.append('function FindProxyForURL(url, host) {')
        out.append('  var scheme = url.split(":")[0];')
        out.append('  if (isPlainHostName(host) || /^\\d+\\.\\d+\\.\\d+\\.\\d+$/.test(host) && isInternal(host)) return FALLBACK;')
        out.append('  var routed = route(host, scheme === "https");')
        out.append('  return routed !== null ? routed : "PROXY default.corp.example:8080; " + FALLBACK;')
        out.append('}')
    text = '\n'.join(out) + '\n'
    # Comments to the usual size of a hand-kept corporate file.
    while len(text) < 10 * 1024:
        text = '// ' + ' '.join(name() for _ in range(12)) + '\n' + text
    return text


def gfwlist(modern, domains):
    out = ['// gfwlist-style PAC, generated for bench/pac_modern.']
    kw = 'const' if modern else 'var'
    out.append('%s proxy = "SOCKS5 127.0.0.1:1080; PROXY 127.0.0.1:8118; DIRECT";' % kw)
    out.append('%s rules = [' % kw)
    out.extend('  "%s",' % d for d in domains)
    out.append('];')
    if modern:
        out.append('const listed = new Set(rules);')
        out.append('const suffixes = (host) => host.split(".").map((_, i, parts) => parts.slice(i).join("."));')
        out.append('function FindProxyForURL(url, host) {')
        out.append('  for (const suffix of suffixes(host)) {')
        out.append('    if (listed.has(suffix)) return `${proxy}`;')
        out.append('  }')
        out.append('  return "DIRECT";')
        out.append('}')
    else:
        out.append('var listed = {};')
        out.append('for (var i = 0; i < rules.length; i++) listed[rules[i]] = true;')
        out.append('function FindProxyForURL(url, host) {')
        out.append('  var parts = host.split(".");')
        out.append('  for (var i = 0; i < parts.length; i++) {')
        out.append('    if (listed.hasOwnProperty(parts.slice(i).join("."))) return proxy;')
        out.append('  }')
        out.append('  return "DIRECT";')
        out.append('}')
    return '\n'.join(out) + '\n'


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    state = rng.getstate()
    for modern in (True, False):
        rng.setstate(state)
        with open(os.path.join(out_dir, ('modern' if modern else 'es5') + '-10k.pac'), 'w') as f:
            f.write(corporate(modern))
    domains = []
    while sum(len(d) + 6 for d in domains) < 100 * 1024:
        domains.append(domain())
    for modern in (True, False):
        with open(os.path.join(out_dir, ('modern' if modern else 'es5') + '-100k.pac'), 'w') as f:
            f.write(gfwlist(modern, domains))


main()
