// An experiment file as YAML source: read within limits (size, aliases), parsed with source
// ranges kept, so that any path into the document can be turned into file:line:column.

import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';

/** Experiment files are small; a bigger one is a mistake or an attack, and is refused before it is read. */
const MAX_FILE_BYTES = 1024 * 1024;
/** Aliases beyond this many make a document an alias bomb ("billion laughs"). */
const MAX_ALIASES = 100;

export interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Bad input: one or more problems, each with its place. The command exits 2 and writes nothing. */
export class InputError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
  }
}

/** One problem as a line; a file's text quoted in it cannot drive the terminal (escapeControls). */
function formatProblem(p: Problem): string {
  const file = escapeControls(p.file);
  const message = escapeControls(p.message);
  return p.line > 0 ? `${file}:${p.line}:${p.column}: ${message}` : `${file}: ${message}`;
}

export type Path = readonly (string | number)[];

export class Source {
  private constructor(
    readonly file: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
    /** Paths set from the command line (--set), which have no place in the file. */
    private readonly patched: Map<string, string>,
  ) {}

  /**
   * Reads and parses `file`, refusing anything but a regular file, oversized files, syntax errors
   * and alias bombs. The size limit holds while reading (a /proc file or a growing file reports a
   * size it does not keep), and a FIFO or device is refused before a read could block.
   */
  static read(file: string): Source {
    return Source.parse(file, readLimited(file));
  }

  static parse(file: string, text: string): Source {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new Source(file, doc, lines, new Map());
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const pos = lines.linePos(error.pos[0]);
      throw new InputError([{ file, line: pos.line, column: pos.col, message: `YAML syntax error: ${firstLine(error.message)}` }]);
    }
    source.checkAliases();
    return source;
  }

  /** The document as plain data (after the alias check, so expansion is bounded). */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: MAX_ALIASES });
  }

  /** Sets `path` (from --set) to `value`; problems there are reported as coming from `label`. */
  patch(path: Path, value: unknown, label: string): void {
    // yaml's setIn fills a list up to the index it is given (and builds a missing list the same
    // way), so `workload.99999999` would allocate 10^8 entries: an index may at most append.
    for (let i = 0; i < path.length; i++) {
      const container: unknown = i === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, i), true);
      const where = path.slice(0, i).join('.') || 'the document';
      if (container !== undefined && container !== null && !isMap(container) && !isSeq(container) && !(isScalar(container) && container.value === null)) {
        throw new InputError([{ file: this.file, line: 0, column: 0, message: `${label}: ${where} is a value, not a mapping or list, so ${path.join('.')} cannot be set` }]);
      }
      const segment = path[i];
      if (typeof segment !== 'number' || isMap(container)) continue;
      const length = isSeq(container) ? container.items.length : 0;
      if (segment > length) {
        throw new InputError([{ file: this.file, line: 0, column: 0, message: `${label}: ${where} has ${length} ${length === 1 ? 'entry' : 'entries'}; index ${segment} is past its end (at most ${length})` }]);
      }
    }
    this.doc.setIn(path, this.doc.createNode(value));
    this.patched.set(JSON.stringify(path), label);
  }

  /** A problem at `path` (its value, or with `at: 'key'` its key; the nearest ancestor if absent). */
  problem(path: Path, message: string, at: 'value' | 'key' = 'value'): Problem {
    for (let n = path.length; n >= 0; n--) {
      const label = this.patched.get(JSON.stringify(path.slice(0, n)));
      if (label !== undefined) return { file: this.file, line: 0, column: 0, message: `${message} (from ${label})` };
    }
    const offset = this.offsetOf(path, at);
    if (offset === undefined) return { file: this.file, line: 1, column: 1, message };
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col, message };
  }

  private offsetOf(path: Path, at: 'value' | 'key'): number | undefined {
    let node: unknown = this.doc.contents;
    let best: number | undefined = rangeStart(node);
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
        if (pair === undefined) return best;
        const keyStart = rangeStart(pair.key);
        if (i === path.length - 1 && at === 'key') return keyStart ?? best;
        // A missing or null value is best shown at its key.
        best = keyStart ?? best;
        node = pair.value;
        if (node !== null && rangeStart(node) !== undefined && !(isScalar(node) && node.value === null)) best = rangeStart(node);
      } else if (isSeq(node) && typeof Number(segment) === 'number' && Number.isInteger(Number(segment))) {
        node = node.items[Number(segment)];
        if (node === undefined) return best;
        best = rangeStart(node) ?? best;
      } else {
        return best;
      }
    }
    return best;
  }

  private checkAliases(): void {
    let aliases = 0;
    let first: Node | undefined;
    visit(this.doc, {
      Alias: (_, node) => {
        aliases++;
        first ??= node;
      },
    });
    if (aliases === 0) return;
    try {
      this.doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      const offset = rangeStart(first) ?? 0;
      const pos = this.lines.linePos(offset);
      throw new InputError([
        { file: this.file, line: pos.line, column: pos.col, message: `aliases expand too far (${firstLine((error as Error).message).toLowerCase()}): refused; write the values out, or use fewer than ${MAX_ALIASES} alias references` },
      ]);
    }
  }
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  if (isAlias(node) || isScalar(node) || isMap(node) || isSeq(node)) return node.range?.[0];
  return undefined;
}

/** A short excerpt of what the file said, control characters escaped, so that no content is echoed whole. */
function firstLine(text: string): string {
  const line = text.split('\n')[0].trim();
  return escapeControls(line.length > 160 ? `${line.slice(0, 160)}…` : line);
}

/** Control characters (ESC, OSC, NUL …) as \x.. escapes: a file's text must not drive the terminal. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function cannotRead(file: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory, not an experiment file',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the path is too long',
  };
  return new InputError([{ file, line: 0, column: 0, message: `cannot read the file: ${(code !== undefined && reasons[code]) || code || (error as Error).message}` }]);
}

/** The file's text, refusing non-regular files and anything over MAX_FILE_BYTES as it reads. */
function readLimited(file: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not hang; regular files ignore the flag.
    fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw cannotRead(file, error);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError([{ file, line: 0, column: 0, message: 'is a directory, not an experiment file' }]);
    if (!stat.isFile()) throw new InputError([{ file, line: 0, column: 0, message: 'is not a regular file (a pipe, device or socket): save the experiment to a file and pass its path' }]);
    const limitMessage = (bytes: string) => `the file is ${bytes}; experiment files are limited to ${MAX_FILE_BYTES / 1024 / 1024} MiB`;
    if (stat.size > MAX_FILE_BYTES) throw new InputError([{ file, line: 1, column: 1, message: limitMessage(`${(stat.size / 1e6).toFixed(1)} MB`) }]);
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        throw cannotRead(file, error);
      }
      if (n === 0) break;
      length += n;
      if (length > MAX_FILE_BYTES) throw new InputError([{ file, line: 1, column: 1, message: limitMessage('larger than that') }]);
    }
    const text = buffer.subarray(0, length).toString('utf8');
    if (text.includes('\u0000')) throw new InputError([{ file, line: 1, column: 1, message: 'the file holds NUL bytes: not a YAML experiment file' }]);
    return text;
  } finally {
    closeSync(fd);
  }
}
