// Per-command help: `k8s-netsim <command> --help` explains that command's options, not the
// global usage, and exits 0.

import { describe, expect, it } from 'vitest';
import { USAGE } from '../../cli/cli.js';
import { cli } from './helpers.js';

describe('per-command --help', () => {
  it("run --help prints run's usage with one line per option, not the global help", async () => {
    const { code, stdout } = await cli(['run', '--help']);
    expect(code).toBe(0);
    expect(stdout.startsWith('usage: k8s-netsim run <experiment.yaml>')).toBe(true);
    expect(stdout).not.toContain(USAGE);
    expect(stdout).not.toMatch(/k8s-netsim merge/);
    for (const option of ['--out', '--workers', '--replications', '--seed', '--shard', '--resume', '--force', '--set', '--json', '--quiet']) {
      expect(stdout).toMatch(new RegExp(`^  ${option}\\b.* {2}\\S.+$`, 'm'));
    }
  });

  it("plan -h and `help plan` print plan's options", async () => {
    for (const argv of [['plan', '-h'], ['help', 'plan']]) {
      const { code, stdout } = await cli(argv);
      expect(code).toBe(0);
      expect(stdout.startsWith('usage: k8s-netsim plan <experiment.yaml>')).toBe(true);
      expect(stdout).toMatch(/^ {2}--out DIR +results directory/m);
      expect(stdout).not.toMatch(/--resume|k8s-netsim validation/);
    }
  });

  it('every command has help that fits 120 columns', async () => {
    for (const command of ['run', 'validate', 'plan', 'report', 'merge', 'job', 'schema', 'validation', 'demo']) {
      const { code, stdout } = await cli([command, '--help']);
      expect(code, command).toBe(0);
      expect(stdout, command).toMatch(new RegExp(`^usage: k8s-netsim ${command}`));
      expect(stdout.split('\n').filter((line) => line.length > 120), command).toEqual([]);
    }
    expect(USAGE.split('\n').filter((line) => line.length > 120)).toEqual([]);
  });
});
