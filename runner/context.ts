// The context each point's results were produced in, written to experiment.json beside the point:
// the deciding settings (models/deciding-settings.ts) with where each value came from (swept,
// written in the file, or a default the user may not know about), and the mechanisms they switch off.

import { pointContext, type DecidingSetting } from '../models/deciding-settings.js';
import { networkSettings } from '../models/settings.js';
import type { Point } from './expand.js';
import { splitPath } from './paths.js';

type SettingOrigin = 'swept' | 'file' | 'default';

export interface ManifestContext {
  settings: (DecidingSetting & { origin: SettingOrigin })[];
  notes: string[];
  dnsRaceProbability: number;
}

function written(tree: unknown, path: string): boolean {
  let node = tree;
  for (const segment of splitPath(path)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[segment];
    if (node === undefined) return false;
  }
  return true;
}

/** The context of one point of a loaded experiment. */
export function contextOf(point: Pick<Point, 'input' | 'settings'>): ManifestContext {
  const context = pointContext(networkSettings.parse(point.input));
  const swept = Object.keys(point.settings);
  const origin = (path: string): SettingOrigin => (swept.some((key) => path === key || path.startsWith(`${key}.`)) ? 'swept' : written(point.input, path) ? 'file' : 'default');
  return { ...context, settings: context.settings.map((s) => ({ ...s, origin: origin(s.path) })) };
}
