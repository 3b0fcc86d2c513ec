// ES2017-ES2021 built-ins in a PAC: a table parsed from text, a cache in a WeakMap-free Map, string
// helpers and Object.fromEntries.

const TABLE = `
  tv.example        = PROXY tv-proxy.example:3128
  radio.example     = PROXY radio-proxy.example:3128
  ftp.legacy.example = DIRECT
`;

const routes = Object.fromEntries(
  TABLE.split('\n')
    .map((line) => line.trimStart().trimEnd())
    .filter((line) => line.length > 0)
    .map((line) => line.split('=').map((part) => part.trim())),
);
const knownSuffixes = Object.keys(routes).map((d) => d.padStart(d.length + 1, '.'));
const seen = new Map();
const LEVELS = [[1, 2], [3, [4]]].flat(Infinity);

function FindProxyForURL(url, host) {
  if (seen.has(host)) return seen.get(host);
  const direct = routes[host];
  let result = direct ?? knownSuffixes
    .filter((s) => host.endsWith(s))
    .map((s) => routes[s.slice(1)])[0];
  if (result === undefined) {
    const depth = dnsDomainLevels(host);
    result = Number.isInteger(depth) && LEVELS.includes(depth)
      ? 'PROXY level-proxy.example:3128; DIRECT'.replaceAll('level', `level${depth}`)
      : 'DIRECT';
  }
  seen.set(host, result);
  return result;
}
