// A PAC built from rule objects (classes), with optional chaining and nullish defaults for the
// optional fields of each rule.

class Rule {
  constructor({ pattern, proxy, port } = {}) {
    this.pattern = pattern;
    this.proxy = proxy;
    this.port = port ?? 8080;
  }
  matches(host) {
    return shExpMatch(host, this.pattern);
  }
  get result() {
    return this.proxy ? `PROXY ${this.proxy}:${this.port}` : 'DIRECT';
  }
}

class FailoverRule extends Rule {
  constructor(options) {
    super(options);
    this.backup = options?.backup;
  }
  get result() {
    const main = super.result;
    return this.backup?.length ? `${main}; PROXY ${this.backup}` : main;
  }
  static of(pattern, proxy, backup) {
    return new FailoverRule({ pattern, proxy, backup });
  }
}

const config = {
  rules: [
    new Rule({ pattern: '*.internal.example' }),
    new Rule({ pattern: '*.media.example', proxy: 'media-proxy.example', port: 3129 }),
    FailoverRule.of('*.shop.example', 'shop-proxy.example', 'backup-proxy.example:3128'),
    FailoverRule.of('*.bank.example', 'secure-proxy.example'),
  ],
  defaults: { result: 'PROXY default-proxy.example:8080; DIRECT' },
};

function FindProxyForURL(url, host) {
  const rule = config.rules.find((r) => r?.matches(host));
  let answer = rule?.result;
  answer ||= config.defaults?.result;
  return answer ?? 'DIRECT';
}
