// Vega-Lite spec → Vega → SVG text, in Node: no browser, no canvas, no network (data is inline).
// Warnings from either compiler are collected for the caller (tests hold them at zero), never
// printed, so that `--json` output stays clean; errors throw.

import { compile, type TopLevelSpec } from 'vega-lite';
import * as vega from 'vega';

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

function collectingLogger(warnings: string[]): Logger {
  let level = vega.Warn;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]): never {
      throw new Error(args.map(String).join(' '));
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger as unknown as Logger;
}

export async function renderSvg(spec: TopLevelSpec, warnings: string[] = []): Promise<string> {
  const logger = collectingLogger(warnings);
  const compiled = compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as unknown as vega.LoggerInterface });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
