// The conntrack profile: every constant sourced, unpublished ones flagged, overrides applied.

import { describe, expect, it } from 'vitest';
import { loadConntrackProfile } from '../../../models/conntrack/index.js';

describe('the conntrack profile', () => {
  it('parses the published defaults with their units', () => {
    const { values } = loadConntrackProfile();
    expect(values.kubeProxy).toEqual({ maxPerCore: 32768, min: 131072, bucketsDivisor: 4 });
    expect(values.netfilter.bytesPerEntry).toBe(304);
    expect(values.netfilter.timeouts).toEqual({ tcpTimeWait: 120, tcpClose: 10, tcpSynSent: 120, udp: 30, udpStream: 120 });
    expect(values.netfilter.earlyDrop).toEqual({ evictionRangeBuckets: 8, tuplesPerEntry: 2 });
    expect(values.cilium).toMatchObject({ ctGlobalTcpMax: 524288, ctGlobalAnyMax: 262144 });
    expect(values.cilium.timeouts).toEqual({ tcpEstablished: 8000, tcpFin: 10, tcpSyn: 60, any: 60 });
  });

  it('names a source for every constant and flags the unpublished ones as assumptions', () => {
    const { constants } = loadConntrackProfile();
    for (const c of constants) expect(c.source.length, c.path).toBeGreaterThan(10);
    const assumed = constants.filter((c) => c.assumption).map((c) => c.path);
    expect(assumed.sort()).toEqual(['cilium.bytesPerEntry', 'netfilter.gcEarlyDrop.scanInterval']);
  });

  it("lays an experiment's overrides over the file and records them", () => {
    const { values, constants } = loadConntrackProfile({ netfilter: { timeouts: { tcpTimeWait: '30s' } } });
    expect(values.netfilter.timeouts.tcpTimeWait).toBe(30);
    expect(constants.find((c) => c.path === 'netfilter.timeouts.tcpTimeWait')).toMatchObject({ overridden: true, source: 'experiment file' });
    expect(() => loadConntrackProfile({ netfilter: { timeouts: { tcpTimewait: '30s' } } })).toThrow(/tcpTimewait/);
  });
});
