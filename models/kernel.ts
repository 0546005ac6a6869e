// The node kernel's constants: TCP's connection set-up timers and CPU, CFS bandwidth control's
// period, and which features a kernel version has. Conntrack's own constants are in conntrack/.

import { z } from 'zod';
import { loadProfile, type LoadedProfile } from './profiles/load.js';
import { duration, positiveDuration } from './units.js';

const kernelProfile = z
  .object({
    tcp: z.object({ initialRto: positiveDuration(), synRetries: z.number().int().min(0), connectionSetup: duration() }).strict(),
    nftablesMinimumKernel: z.string().regex(/^\d+\.\d+$/),
    cfs: z.object({ period: positiveDuration() }).strict(),
  })
  .strict();
export type KernelProfile = z.output<typeof kernelProfile>;

export function loadKernel(overrides?: unknown): LoadedProfile<KernelProfile> {
  return loadProfile('kernel', kernelProfile, overrides);
}

/** Compares "major.minor" versions: negative if a < b, 0 if equal, positive if a > b. */
export function compareKernel(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}
