// "The settings that decided it": the values the results depend on besides the swept ones, with
// where each came from (a default the user may not know about, or the file), and the mechanisms
// those settings switched off. Read from experiment.json, where the runner records each point's
// context; results without it (older or hand-made) have no such section.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PointUse } from './assumptions.js';
import type { Results } from './inputs.js';
import { pointLabels } from './labels.js';

interface ContextSetting {
  path: string;
  value: string | number | boolean;
  decides: string;
  origin: 'swept' | 'file' | 'default';
}

export interface PointContext {
  settings: ContextSetting[];
  notes: string[];
  dnsRaceProbability: number;
}

interface DecidingRow {
  path: string;
  /** The value, or the values joined where points differ. */
  value: string;
  origin: 'file' | 'default';
  decides: string;
}

export interface DecidingSection {
  rows: DecidingRow[];
  /** Each switched-off mechanism once, with the points it holds at ('' for all). */
  notes: { text: string; where: string }[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function contextOf(raw: unknown): PointContext | null {
  if (!isObject(raw) || !Array.isArray(raw.settings) || !Array.isArray(raw.notes)) return null;
  return {
    settings: raw.settings.filter(isObject).map((s) => ({ path: String(s.path), value: s.value as string | number | boolean, decides: String(s.decides ?? ''), origin: s.origin === 'swept' || s.origin === 'file' ? s.origin : 'default' })),
    notes: raw.notes.map(String),
    dnsRaceProbability: typeof raw.dnsRaceProbability === 'number' ? raw.dnsRaceProbability : 0,
  };
}

/** Each point's context from experiment.json (runner manifest), by point id; empty when absent. */
export function readContexts(dir: string): Map<string, PointContext> {
  const contexts = new Map<string, PointContext>();
  const file = join(dir, 'experiment.json');
  if (!existsSync(file)) return contexts;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return contexts;
  }
  if (!isObject(manifest) || !Array.isArray(manifest.points)) return contexts;
  for (const point of manifest.points) {
    if (!isObject(point) || typeof point.id !== 'string') continue;
    const context = contextOf(point.context);
    if (context !== null) contexts.set(point.id, context);
  }
  return contexts;
}

/** What a point used, for the assumption marks (reports/assumptions.ts). */
export function pointUse(context: PointContext): PointUse {
  const value = (path: string) => context.settings.find((s) => s.path === path)?.value;
  return {
    proxyMode: value('proxy.mode') as string | undefined,
    cni: value('cluster.cni') as string | undefined,
    mesh: value('mesh') as string | undefined,
    zones: value('cluster.zones') as number | undefined,
    usesDns: value('dns.coredns.replicas') !== undefined,
    nodeLocal: value('dns.nodeLocal.enabled') === true,
    dnsRaceProbability: context.dnsRaceProbability,
  };
}

const show = (value: string | number | boolean) => (typeof value === 'number' ? value.toLocaleString('en-US') : String(value));

/** The section's rows (settings not swept, in the models' order) and notes, or null without contexts. */
export function decidingSection(results: Results, contexts: Map<string, PointContext>): DecidingSection | null {
  const present = results.points.map((p) => contexts.get(p.id)).filter((c): c is PointContext => c !== undefined);
  if (present.length === 0) return null;
  const rows: DecidingRow[] = [];
  const seen = new Set<string>();
  for (const context of present) {
    for (const s of context.settings) {
      if (seen.has(s.path) || s.origin === 'swept') continue;
      seen.add(s.path);
      const values = [...new Set(present.map((c) => c.settings.find((x) => x.path === s.path)).filter((x) => x !== undefined).map((x) => show(x.value)))];
      const origins = present.map((c) => c.settings.find((x) => x.path === s.path)?.origin);
      rows.push({ path: s.path, value: values.join(' or '), origin: origins.every((o) => o === 'default') ? 'default' : 'file', decides: s.decides });
    }
  }
  const labels = pointLabels(results);
  const notes: { text: string; where: string }[] = [];
  const texts = [...new Set(present.flatMap((c) => c.notes))];
  for (const text of texts) {
    const at = results.points.filter((p) => contexts.get(p.id)?.notes.includes(text) === true);
    notes.push({ text, where: at.length === results.points.length ? '' : at.map((p) => labels.get(p.id) ?? p.id).join('; ') });
  }
  return { rows, notes };
}
