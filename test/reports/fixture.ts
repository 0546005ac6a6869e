// A results directory as the runner writes it, for a swept experiment whose names are hostile
// (`<script>`, an attribute break-out), with metrics drawn so that replications share common
// random numbers: each replication moves every point by the same factor, plus a little noise.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RandomStreams } from '../../engine/random.js';
import type { ConstantRecord } from '../../models/profiles/load.js';
import type { ExperimentFile, PlanFile, PointLine } from '../../reports/index.js';

export const SCRIPT_NAME = '<script>alert(1)</script>';
export const ATTRIBUTE_NAME = '"><img src=x onerror=alert(1)>';

export interface FixtureOptions {
  services?: number[];
  modes?: string[];
  replications?: number;
  plan?: PlanFile | ((ids: Map<string, string>) => PlanFile);
  withDns?: boolean;
  files?: { experiment?: boolean; constants?: boolean };
}

const MODE_COST: Record<string, number> = { iptables: 1, ipvs: 0.6, nftables: 0.5, ebpf: 0.3 };

export function pointId(settings: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12);
}

function metricsFor(services: number, mode: string, r: number, id: string, withDns: boolean): Record<string, number | null> {
  const streams = new RandomStreams(7, r);
  const common = (name: string) => 1 + 0.08 * (streams.stream(`common/${name}`).next() - 0.5);
  const own = (name: string) => 1 + 0.01 * (streams.stream(`own/${id}/${name}`).next() - 0.5);
  const noisy = (name: string, value: number) => value * common(name) * own(name);
  const cost = MODE_COST[mode] ?? 0.7 + mode.length / 100;
  const dispatch = cost * 1e-6 * (1 + services / 200);
  const m: Record<string, number | null> = {};
  const ladder = [1, 1.3, 2.2, 4];
  ['p50', 'p90', 'p99', 'p999'].forEach((stat, i) => {
    m[`request_duration_seconds.${stat}`] = noisy(`request.${stat}`, (1e-3 + dispatch) * ladder[i]);
    m[`connect_duration_seconds.${stat}`] = noisy(`connect.${stat}`, (80e-6 + dispatch) * ladder[i]);
    m[`kubeproxy_sync_proxy_rules_duration_seconds.${stat}`] = noisy(`sync.${stat}`, cost * services * 2e-5 * ladder[i]);
    m[`kubeproxy_network_programming_duration_seconds.${stat}`] = noisy(`prog.${stat}`, (1 + cost * services * 4e-5) * ladder[i]);
    if (withDns) m[`dns_lookup_duration_seconds.${stat}`] = noisy(`dns.${stat}`, 3e-4 * ladder[i] ** 2);
  });
  m['request_duration_seconds.mean'] = null;
  const requests = noisy('requests', 5000);
  const timeouts = mode === 'iptables' ? noisy('timeouts', services / 100) : 0;
  m['request_outcomes_total{outcome=ok}.rate'] = requests - timeouts;
  m['request_outcomes_total{outcome=refused}.rate'] = noisy('refused', 20);
  m['request_outcomes_total{outcome=timeout}.rate'] = timeouts;
  m['request_outcomes_total{outcome=deadline_exceeded}.rate'] = noisy('deadline', 5);
  m['node_nf_conntrack_entries.mean'] = noisy('ct.mean', 20000 + services);
  m['node_nf_conntrack_entries.max'] = noisy('ct.max', 40000 + 2 * services);
  m['node_nf_conntrack_entries_limit.mean'] = 262144;
  m['conntrack_drops_total.rate'] = 0;
  m['proxy_cpu_cores.mean'] = noisy('cpu', cost * 0.01 * (1 + services / 1000));
  if (withDns) {
    m['dns_queries_per_lookup.mean'] = noisy('q', 6);
    m['dns_nxdomain_per_lookup.mean'] = noisy('nx', 4);
    m['coredns_cpu_utilization.mean'] = noisy('cdns', 0.4);
    m['coredns_cpu_utilization.max'] = noisy('cdns.max', 0.55);
  }
  return m;
}

export const FIXTURE_CONSTANTS: ConstantRecord[] = [
  { path: 'dns.race.probability', value: 0.001, source: 'assumption: no published rate of the conntrack insert race', assumption: true, overridden: false },
  { path: 'proxy.iptables.sync.restorePerRule', value: '18.15us', source: 'derived from kubernetes/kubernetes #138073', assumption: false, overridden: false },
  { path: 'proxy.iptables.sync.fixed', value: '5ms', source: 'assumption: fork/exec of iptables-restore', assumption: true, overridden: false },
  { path: 'conntrack.kubeProxy.maxPerCore', value: 32768, source: `kubernetes defaults ${ATTRIBUTE_NAME}`, assumption: false, overridden: false },
  { path: 'conntrack.kubeProxy.maxPerCore', value: 32768, source: `kubernetes defaults ${ATTRIBUTE_NAME}`, assumption: false, overridden: false },
  { path: 'cni.common.underlayMtu', value: '9001B', source: 'experiment file', note: 'overrides "1500B" from Ethernet default MTU', assumption: false, overridden: true },
];

/** Writes points.jsonl, experiment.json, constants.json (and plan.json) into `dir`; returns point ids by "services/mode". */
export function writeFixture(dir: string, options: FixtureOptions = {}): Map<string, string> {
  const services = options.services ?? [100, 1000, 10000];
  const modes = options.modes ?? ['iptables', 'ebpf', SCRIPT_NAME, ATTRIBUTE_NAME];
  const replications = options.replications ?? 5;
  const withDns = options.withDns ?? true;
  mkdirSync(dir, { recursive: true });
  const experiment: ExperimentFile = {
    apiVersion: 'k8s-netsim/v1alpha1',
    kind: 'Experiment',
    metadata: { name: `proxy-modes ${SCRIPT_NAME}`, description: `Which proxy mode ${ATTRIBUTE_NAME} keeps first-packet latency flat as services grow` },
    spec: {
      seed: 7,
      replications,
      sweep: { 'cluster.services': services, 'proxy.mode': modes },
      report: { x: 'cluster.services', series: 'proxy.mode' },
      slo: { 'request_duration_seconds.p99': '5ms' },
    },
  };
  const ids = new Map<string, string>();
  const lines: PointLine[] = [];
  for (const s of services) {
    for (const mode of modes) {
      const settings = { 'cluster.services': s, 'proxy.mode': mode };
      const id = pointId(settings);
      ids.set(`${s}/${mode}`, id);
      for (let r = 0; r < replications; r++) lines.push({ point: id, settings, replication: r, seed: 7, metrics: metricsFor(s, mode, r, id, withDns) });
    }
  }
  writeFileSync(join(dir, 'points.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  if (options.files?.experiment !== false) writeFileSync(join(dir, 'experiment.json'), JSON.stringify(experiment, null, 2));
  if (options.files?.constants !== false) writeFileSync(join(dir, 'constants.json'), JSON.stringify(FIXTURE_CONSTANTS, null, 2));
  if (options.plan !== undefined) {
    const plan = typeof options.plan === 'function' ? options.plan(ids) : options.plan;
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan, null, 2));
  }
  return ids;
}
