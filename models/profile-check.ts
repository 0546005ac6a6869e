// Checking an experiment's profile overrides before anything runs: each concern's profile is
// loaded with the overrides laid over it, exactly as a simulation would load it, and whatever
// fails (an unknown constant, a value of the wrong kind) is reported against spec.profiles.

import { loadCni } from './cni.js';
import { loadConntrackProfile } from './conntrack/index.js';
import { loadDnsProfile } from './dns/settings.js';
import { loadHardware } from './hardware.js';
import { loadKernel } from './kernel.js';
import { loadMesh } from './mesh.js';
import { loadPolicyProfile } from './policy/settings.js';
import { loadProxyProfile } from './proxy/index.js';
import type { NetworkSettings } from './settings.js';
import { loadSnatProfile } from './snat.js';

export interface ProfileProblem {
  /** The concern under spec.profiles whose overrides failed. */
  concern: string;
  message: string;
}

export function profileProblems(settings: NetworkSettings): ProfileProblem[] {
  const overrides = settings.profiles;
  const loaders: [string, () => unknown][] = [
    ['proxy', () => loadProxyProfile(overrides.proxy)],
    ['conntrack', () => loadConntrackProfile(overrides.conntrack)],
    ['kernel', () => loadKernel(overrides.kernel)],
    ['cni', () => loadCni(settings.cluster.cni, overrides.cni)],
    ['mesh', () => settings.mesh === 'none' || loadMesh(settings.mesh, overrides.mesh)],
    ['dns', () => loadDnsProfile(overrides.dns)],
    ['hardware', () => loadHardware(settings.cluster.nodeProfile, overrides.hardware)],
    ['policy', () => loadPolicyProfile(overrides.policy)],
    ['snat', () => loadSnatProfile(overrides.snat)],
  ];
  const problems: ProfileProblem[] = [];
  for (const [concern, load] of loaders) {
    if ((overrides as Record<string, unknown>)[concern] === undefined) continue;
    try {
      load();
    } catch (error) {
      problems.push({ concern, message: (error as Error).message });
    }
  }
  return problems;
}
