// Home network PAC: consoles and game services direct for latency, the media server by name,
// everything else through the home proxy when it is up (template literals and destructuring).

const HOME = { proxyHost: 'proxy.home.example', proxyPort: 3128, lan: ['192.168.1.0', '255.255.255.0'] };
const { proxyHost, proxyPort = 8080, lan: [lanNet, lanMask] } = HOME;
const GAME_SERVICES = {
  steam: ['steampowered.example', 'steamcontent.example'],
  console: ['playnet.example', 'xboxlive.example'],
  launcher: ['epicgames.example'],
};
const gameDomains = Object.entries(GAME_SERVICES).flatMap(([, domains]) => domains);
const PORT_WINDOW = 2 ** 4;

const matches = (host, domain) => host === domain || host.endsWith(`.${domain}`);

function classify(host) {
  try {
    const [first, ...rest] = host.split('.');
    if (rest.length === 0) return { kind: 'local', first };
    if (gameDomains.some((d) => matches(host, d))) return { kind: 'game' };
    if (first === 'media' && rest.join('.') === 'home.example') return { kind: 'media' };
  } catch {
    return { kind: 'odd' };
  }
  return { kind: 'web' };
}

function FindProxyForURL(url, host) {
  const { kind, first = '' } = classify(host);
  switch (kind) {
    case 'local':
    case 'media':
      return 'DIRECT';
    case 'game':
      return `DIRECT; PROXY ${proxyHost}:${proxyPort + PORT_WINDOW}`;
    default:
      if (isInNet(host, lanNet, lanMask)) return 'DIRECT';
      return `PROXY ${proxyHost}:${proxyPort}; DIRECT${first}`;
  }
}
