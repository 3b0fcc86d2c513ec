// node pac-resolver 9 (on QuickJS via quickjs-wasi) driven like pac_eval_bench:
//   node node_driver.mjs dump|throughput PAC URLS [SECONDS]
// Each evaluation is awaited before the next (one core). Run with NODE_PATH unset; the packages are
// resolved from bench/.peers/node_modules (installed by run.sh).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const peers = process.env.PAC_PEERS_DIR;
const req = createRequire(path.join(peers, 'node_modules', 'x.js'));
const { createPacResolver } = await import(req.resolve('pac-resolver'));
const { QuickJS } = await import(req.resolve('quickjs-wasi'));

const [mode, pacPath, urlsPath, seconds] = process.argv.slice(2);
const reqs = readFileSync(urlsPath, 'utf8').split('\n').filter((l) => l.includes('\t'))
  .map((l) => l.split('\t'));
// quickjs-wasi 3 wants its WASM bytes given explicitly.
const qjs = await QuickJS.create({ wasm: readFileSync(req.resolve('quickjs-wasi/quickjs.wasm')) });
const FindProxyForURL = createPacResolver(qjs, readFileSync(pacPath, 'utf8'));

if (mode === 'dump') {
  for (const [url, host] of reqs) console.log(await FindProxyForURL(url, host));
} else {
  for (const [url, host] of reqs) await FindProxyForURL(url, host);  // warm-up: one pass
  let count = 0;
  const cpuStart = process.cpuUsage();  // all threads of the process, user + system
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(Number(seconds) * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (const [url, host] of reqs) await FindProxyForURL(url, host);
    count += reqs.length;
  }
  const took = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`evals_per_sec ${Math.round(count / took)} evals_per_cpu_sec ${Math.round(count / cpuSeconds)}`);
}
