// Input that is not an experiment file, that tries to reach past the settings, or that asks for
// more than the machine holds: each refused with one line and exit 2, never a hang, a stack
// trace, an out-of-memory abort or a change to the running process.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, scratchDir } from './helpers.js';

const scratch = scratchDir('hostile');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HEAD = `apiVersion: k8s-netsim/v1alpha1
kind: Experiment
metadata: { name: hostile }
spec:
  workload: [{ name: web, clients: 2, ratePerClient: 1 }]
`;

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe('hostile experiment files', () => {
  it('refuses prototype paths in a sweep, --set and profile overrides, and leaves Object.prototype alone', async () => {
    const sweep = file('sweep.yaml', `${HEAD}  sweep:\n    profiles.proxy.__proto__.polluted: [1, 2]\n`);
    const profile = file('profile.yaml', `${HEAD}  profiles:\n    proxy:\n      __proto__: { polluted: 1 }\n      constructor: { prototype: { polluted: 2 } }\n`);
    const runs = [
      await cli(['validate', sweep]),
      await cli(['validate', profile]),
      await cli(['validate', sweep, '--set', 'spec.sweep.profiles.proxy.__proto__.x=[1]']),
      await cli(['validate', profile, '--set', 'spec.profiles.proxy.constructor.prototype.polluted=1']),
    ];
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(runs[0].stderr).toMatch(/sweep\.yaml:7:5: .*'__proto__' cannot appear in a path/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses a directory, a FIFO, a device and a file with NUL bytes at once, in one line each', async () => {
    const dir = join(scratch, 'a-directory');
    mkdirSync(dir);
    const fifo = join(scratch, 'a-fifo');
    execFileSync('mkfifo', [fifo]);
    const nul = file('nul.yaml', 'a\u0000b');
    const cases: [string, RegExp][] = [
      [dir, /is a directory/],
      [fifo, /is not a regular file/],
      ['/dev/zero', /is not a regular file/],
      [nul, /NUL bytes/],
      [join(scratch, 'missing.yaml'), /no such file/],
    ];
    for (const [path, says] of cases) {
      const run = await cli(['validate', path]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(says);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('escapes terminal control sequences in what it quotes from a file', async () => {
    const run = await cli(['validate', file('escape.yaml', `${HEAD}  "bad\u001b]0;owned\u0007": 1\n`)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad\\x1b]0;owned\\x07: unknown key');
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stderr).not.toContain('\u0007');
  });
});

/** Runs the real command in a child process under /usr/bin/time: exit code, output, wall time and peak memory. */
function child(args: string[]): { code: number; stderr: string; seconds: number; maxRssKb: number } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  const seconds = (performance.now() - started) / 1000;
  const rss = /maxrss=(\d+)/.exec(result.stderr);
  return { code: result.status ?? -1, stderr: result.stderr.replace(/(Command exited with non-zero status \d+\n)?maxrss=\d+\n?$/, ''), seconds, maxRssKb: rss === null ? NaN : Number(rss[1]) };
}

const BIN = fileURLToPath(new URL('../../bin/k8s-netsim.mjs', import.meta.url));
const thousand = Array.from({ length: 1000 }, (_, i) => i + 1).join(', ');
const huge = (extra: string) => `${HEAD.replace('  workload: [{ name: web, clients: 2, ratePerClient: 1 }]\n', '')}${extra}`;

/** Large valid values and unbounded work: each refused before anything runs, at the setting that drives it. */
const EXPENSIVE: [string, string, string[], RegExp][] = [
  ['services', huge('  cluster: { services: 1000000000 }\n'), [], /:5:\d+: spec\.cluster\.services: must be ≤ 1048576/],
  ['concurrency', huge('  workload: [{ name: web, clients: 2, closedLoop: { concurrency: 1e9 } }]\n'), [], /closedLoop\.concurrency: must be ≤ 1048576/],
  ['endpoints', huge('  cluster: { endpointsPerService: 1e9 }\n'), [], /:5:\d+: spec\.cluster\.endpointsPerService: .* endpoints need ≈ .* per point, over the memory budget/],
  ['rate', huge('  workload: [{ name: web, clients: 2, ratePerClient: 1e12 }]\n'), [], /ratePerClient: must be ≤ 148800000/],
  ['pods', huge('  cluster: { podsPerNode: 1e8 }\n'), [], /spec\.cluster\.podsPerNode: must be ≤ 4194304/],
  ['nodes', huge('  cluster: { nodes: 1e9, detailedNodes: all }\n'), [], /spec\.cluster\.nodes: must be ≤ 131072/],
  ['detailed', `${HEAD}  cluster: { nodes: 100000, detailedNodes: all }\n`, [], /spec\.cluster\.nodes: 100,000 simulated nodes need ≈ .* GB per point/],
  ['replications', `${HEAD}  replications: 10000\n  sweep:\n    cluster.services: [${thousand}]\n`, [], /spec\.replications: 1,000 points × 10,000 replications = 10,000,000 simulations, .*--force/],
  ['duration', `${HEAD}  duration: 1000000000000s\n`, [], /spec\.duration: must be ≤ 1000000/],
  ['list index', HEAD, ['--set', 'spec.workload.99999999.name=x'], /spec\.workload has 1 entry; index 99999999 is past its end/],
  ['forced sweep', `${HEAD}  sweep:\n    cluster.services: [${thousand}]\n    cluster.podsPerNode: [${thousand}]\n    cluster.nodes: [${thousand}]\n`, ['--force'], /1,000,000,000 points, more than 100,000 \(even with --force\)/],
];

describe('bounded work', () => {
  it('validate refuses each expensive or unbounded input within 10 s and far below 500 MB, in one line', () => {
    for (const [name, text, args, says] of EXPENSIVE) {
      const run = child(['validate', file(`${name}.yaml`, text), ...args]);
      expect(run.code, name).toBe(2);
      expect(run.stderr, name).toMatch(says);
      expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(run.seconds, name).toBeLessThan(10);
      expect(run.maxRssKb, name).toBeLessThan(500 * 1024);
    }
  }, 300_000);

  it('run and plan refuse the same inputs before any simulation starts, writing nothing', async () => {
    for (const [name, text, args, says] of EXPENSIVE) {
      const path = file(`${name}.yaml`, text);
      for (const command of ['run', 'plan']) {
        const out = join(scratch, `out-${command}-${name}`);
        const run = await cli([command, path, '--out', out, '--workers', '1', ...args]);
        expect(run.code, `${command} ${name}`).toBe(2);
        expect(run.stderr, `${command} ${name}`).toMatch(says);
        expect(existsSync(out), `${command} ${name}`).toBe(false);
      }
    }
  }, 300_000);

  it('a point that fits the default budget is refused under a smaller --max-memory, naming the budget', async () => {
    const path = file('budget.yaml', huge('  cluster: { services: 100000, endpointsPerService: 1 }\n'));
    expect((await cli(['validate', path])).code).toBe(0);
    const run = await cli(['validate', path, '--max-memory', '20MiB']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/spec\.cluster\.services: 100,000 Services need ≈ .* MB per point, over the memory budget of 21\.0 MB \(--max-memory 20MiB\)/);
    expect((await cli(['validate', path, '--max-memory', 'lots'])).stderr).toMatch(/'lots' is not a size/);
  });

  it('--force lifts the bound on total work but not the memory budget', async () => {
    const replications = file('forced.yaml', `${HEAD}  replications: 10000\n  sweep:\n    cluster.services: [${thousand}]\n`);
    const forced = await cli(['validate', replications, '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).work.simulations).toBe(10_000_000);
    const memory = await cli(['validate', file('forced-memory.yaml', `${HEAD}  cluster: { nodes: 100000, detailedNodes: all }\n`), '--force']);
    expect(memory.code).toBe(2);
  });
});
