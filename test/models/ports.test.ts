// Ephemeral ports: the analytic bound on new connections to one destination (ports / TIME_WAIT),
// tcp_tw_reuse, the server closing first, conntrack reopening TIME_WAIT tuples, and a table whose
// count the reuse bounds by the distinct tuples.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../engine/random.js';
import { createFlowTable, loadConntrackProfile, type NetfilterConntrack } from '../../models/conntrack/index.js';
import { ipvsReuseDropSeconds, kubeProxyConnReuseMode, loadPortsProfile, portConfig, podSysctlsSettings, PortSpace, type PortConfig } from '../../models/ports.js';

const profile = loadPortsProfile().values;
const defaults = podSysctlsSettings.parse({});
const CT_TIME_WAIT = 120;

type Grant = 'new' | 'reopen' | 'exhausted';

/** What connect() at `now` means for conntrack: no port, a tuple whose entry is reopened, or a new one. */
function grant(space: PortSpace, now: number, conntrackTimeWait = CT_TIME_WAIT): Grant {
  const closedAt = space.connect(now);
  if (Number.isNaN(closedAt)) return 'exhausted';
  return now < closedAt + conntrackTimeWait ? 'reopen' : 'new';
}

/** Opens connections at `rate` per second for `seconds`, each closed at once; counts the grants. */
function drive(config: PortConfig, rate: number, seconds: number): Record<Grant, number> {
  const space = new PortSpace(config);
  const counts = { new: 0, reopen: 0, exhausted: 0 };
  for (let k = 0; k < rate * seconds; k++) {
    const now = k / rate;
    const g = grant(space, now, config.conntrackTimeWaitSeconds);
    counts[g]++;
    if (g !== 'exhausted') space.release(now, true);
  }
  return counts;
}

const config = (sysctls: typeof defaults, activeClose: 'client' | 'server') => portConfig(sysctls, activeClose, profile, CT_TIME_WAIT, 0);

describe('ephemeral ports to one destination', () => {
  const clientCloses = config(defaults, 'client');

  it('defaults to the kernel range, 28,232 ports, with tcp_tw_reuse loopback-only (no reuse for pods)', () => {
    expect(defaults.ipLocalPortRange).toEqual([32768, 60999]);
    expect(clientCloses.ports).toBe(28232);
    expect(clientCloses.clientHoldSeconds).toBe(60);
  });

  it('never runs out below ports / TIME_WAIT (28,232 / 60 s ≈ 470/s) when the client closes first', () => {
    expect(drive(clientCloses, 460, 600).exhausted).toBe(0);
  });

  it('runs out above it, and then sustains exactly ports per TIME_WAIT interval', () => {
    const rate = 600;
    const seconds = 600;
    const counts = drive(clientCloses, rate, seconds);
    expect(counts.exhausted).toBeGreaterThan(0);
    const granted = counts.new + counts.reopen;
    // After the first 28,232 ports, each port serves once per 60 s: granted ≤ ports × (1 + seconds / 60).
    expect(granted).toBeLessThanOrEqual(28232 * (1 + seconds / 60));
    expect(granted / seconds).toBeGreaterThan((28232 / 60) * 0.99);
  });

  it('tcp_tw_reuse = 1 lifts the bound to ports per second (the 1 s timestamp rule)', () => {
    const reuse = config({ ...defaults, tcpTwReuse: 1 }, 'client');
    expect(drive(reuse, 20_000, 120).exhausted).toBe(0);
    expect(drive(reuse, 40_000, 10).exhausted).toBeGreaterThan(0);
  });

  it('tcp_tw_reuse = 2 (loopback only) changes nothing for a pod', () => {
    const loopbackOnly = config({ ...defaults, tcpTwReuse: 2 }, 'client');
    expect(loopbackOnly).toEqual(clientCloses);
  });

  it('with the server closing first, only ports in use bound the client', () => {
    const serverCloses = config(defaults, 'server');
    expect(drive(serverCloses, 20_000, 30).exhausted).toBe(0);
    const space = new PortSpace(serverCloses);
    for (let k = 0; k < 28232; k++) expect(grant(space, 0)).not.toBe('exhausted');
    expect(grant(space, 0)).toBe('exhausted');
    space.release(1, false);
    expect(grant(space, 1)).not.toBe('exhausted');
  });

  it('reopens a tuple only when the port comes round within conntrack TIME_WAIT (ports / rate < 120 s)', () => {
    const serverCloses = config(defaults, 'server');
    // 28,232 / 200 per s = 141 s between uses of a port: its entry has expired.
    expect(drive(serverCloses, 200, 600).reopen).toBe(0);
    // 28,232 / 300 per s = 94 s: every connection after the first 28,232 reuses a live entry.
    const counts = drive(serverCloses, 300, 600);
    expect(counts.new).toBe(28232);
    expect(counts.reopen).toBe(300 * 600 - 28232);
  });

  it('a connection that never got established frees its port at once', () => {
    const space = new PortSpace({ ports: 1, clientHoldSeconds: 60, conntrackTimeWaitSeconds: CT_TIME_WAIT, ipvsDropSeconds: 0 });
    expect(grant(space, 0)).toBe('new');
    space.release(0, false);
    expect(grant(space, 0)).toBe('new');
    space.release(0, true);
    expect(grant(space, 59)).toBe('exhausted');
    expect(grant(space, 60)).toBe('reopen');
  });
});

describe('conntrack with reopened TIME_WAIT tuples', () => {
  it('holds at most one entry per distinct tuple, where inserting per connection would hold rate × 120 s', () => {
    const ports = 2000;
    const rate = 100;
    const space = new PortSpace({ ports, clientHoldSeconds: 0, conntrackTimeWaitSeconds: CT_TIME_WAIT, ipvsDropSeconds: 0 });
    const table = createFlowTable('netfilter', { cores: 8, settings: { max: 1_000_000 }, profile: loadConntrackProfile().values, rng: new RandomStreams(1, 0).stream('conntrack'), now: 0 }) as NetfilterConntrack;
    let peak = 0;
    for (let k = 0; k < rate * 600; k++) {
      const now = k / rate;
      const g = grant(space, now);
      expect(g).not.toBe('exhausted');
      expect(g === 'reopen' ? table.tcpReopen(now) : table.tcpOpen(now)).toBe(true);
      table.tcpEstablished(now);
      table.tcpClose(now);
      space.release(now, true);
      peak = Math.max(peak, table.entries(now));
    }
    expect(peak).toBeLessThanOrEqual(ports);
    expect(table.reopened.total).toBe(rate * 600 - ports);
    // Without the reuse the table would hold every connection of the last 120 s.
    expect(rate * CT_TIME_WAIT).toBeGreaterThan(5 * peak);
  });

  it('a reopen needs no room: the killed entry makes it', () => {
    const table = createFlowTable('netfilter', { cores: 1, settings: { max: 1 }, profile: loadConntrackProfile({ netfilter: { gcEarlyDrop: { enabled: false } } }).values, rng: new RandomStreams(1, 0).stream('conntrack'), now: 0 }) as NetfilterConntrack;
    expect(table.tcpOpen(0)).toBe(true);
    table.tcpEstablished(0);
    table.tcpClose(0);
    expect(table.tcpOpen(1)).toBe(false);
    expect(table.tcpReopen(1)).toBe(true);
    expect(table.entries(1)).toBe(1);
  });
});

describe('IPVS conn_reuse_mode', () => {
  it('is left as kube-proxy sets it: 0 on kernels 4.1 to 5.8, 1 before and from 5.9', () => {
    expect(kubeProxyConnReuseMode('3.10')).toBe(1);
    expect(kubeProxyConnReuseMode('4.1')).toBe(0);
    expect(kubeProxyConnReuseMode('5.8')).toBe(0);
    expect(kubeProxyConnReuseMode('5.9')).toBe(1);
  });

  it('drops a reusing SYN only with conn_reuse_mode 1 or 2 before Linux 5.9', () => {
    expect(ipvsReuseDropSeconds(1, '4.19', profile)).toBe(120);
    expect(ipvsReuseDropSeconds(2, '3.10', profile)).toBe(120);
    expect(ipvsReuseDropSeconds(0, '4.19', profile)).toBe(0);
    expect(ipvsReuseDropSeconds(1, '5.9', profile)).toBe(0);
  });

  it('meets the tuple of an earlier connection only once the ports have come round within its TIME_WAIT', () => {
    const space = new PortSpace({ ports: 100, clientHoldSeconds: 0, conntrackTimeWaitSeconds: CT_TIME_WAIT, ipvsDropSeconds: 120 });
    // The first 100 connections take fresh ports: nothing for IPVS to find.
    for (let k = 0; k < 100; k++) {
      expect(space.connect(k)).toBe(-Infinity);
      space.release(k, true);
    }
    // The 101st reuses the port closed at 0: within IPVS's 120 s at 100 s, not at 121 s.
    expect(100 < space.connect(100) + 120).toBe(true);
    space.release(100, true);
    expect(space.connect(121) + 120 > 121).toBe(false);
  });
});
