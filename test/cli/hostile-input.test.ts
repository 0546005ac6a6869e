// Input that is not an experiment file, or that tries to reach past the settings: each refused
// with one line and exit 2, never a hang, a stack trace, or a change to the running process.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
