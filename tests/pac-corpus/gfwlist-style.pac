// Generated list PAC (gfwlist style): domains proxied, everything else direct.
// Rules are stored as a flat list and looked up through a Set of suffixes.

const proxy = 'SOCKS5 socks.home.example:1080; SOCKS socks.home.example:1080; DIRECT';
const direct = 'DIRECT';

const rules = [
  'blocked.example', 'video.example', 'social.example', 'news.example',
  'search.example', 'mail.example', 'cdn.blocked.example', 'api.social.example',
  'tube.example', 'pics.example', 'chat.example', 'wiki.example',
];
const exceptions = ['static.news.example', 'open.wiki.example'];

const listed = new Set(rules);
const excepted = new Set([...exceptions]);
const MAX_LABELS = 1_000;

const suffixesOf = (host) => {
  const labels = host.split('.');
  return Array.from({ length: Math.min(labels.length, MAX_LABELS) }, (_, i) => labels.slice(i).join('.'));
};

function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || /^[\d.]+$/.test(host)) return direct;
  const suffixes = suffixesOf(host);
  if (suffixes.some((s) => excepted.has(s))) return direct;
  return suffixes.find((s) => listed.has(s)) !== undefined ? proxy : direct;
}
