/**
 * The manual as the tests read it: README.md, CONTRIBUTING.md and the pages of docs/, their
 * `<!-- section:… -->` parts, their fenced code blocks and the anchors their headings make.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The README, CONTRIBUTING.md and every page of docs/, as paths relative to the repository. */
export function manualFiles(): string[] {
  const pages = readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', 'CONTRIBUTING.md', ...pages];
}

export function readManual(file: string): string {
  return readFileSync(join(repoRoot, file), 'utf8');
}

/** The text between `<!-- section:name -->` and its closing marker, wherever in docs/ it lives. */
export function docsSection(name: string): string {
  for (const file of manualFiles()) {
    const m = new RegExp(`<!-- section:${name} -->([\\s\\S]*?)<!-- /section:${name} -->`).exec(readManual(file));
    if (m) return m[1] ?? '';
  }
  return '';
}

/** One fenced code block. `line` is the 1-based line of its opening fence. */
export interface Fence {
  readonly lang: string;
  readonly text: string;
  readonly line: number;
  /** The comment lines right above the fence (blank lines skipped), e.g. `<!-- example: … -->`. */
  readonly note: string;
}

/** Every fenced block of a Markdown text, indented ones (in list items) included. */
export function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([\w-]*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const close = lines.findIndex((l, j) => j > i && l.trim() === open[2]);
    const end = close === -1 ? lines.length : close;
    let k = i - 1;
    while (k >= 0 && lines[k]?.trim() === '') k--;
    const note = k >= 0 && /^\s*<!--/.test(lines[k] ?? '') ? (lines[k] ?? '').trim() : '';
    out.push({ lang: open[3] ?? '', text: lines.slice(i + 1, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n'), line: i + 1, note });
    i = end;
  }
  return out;
}

/** The text outside fenced blocks and inline code spans (where links and headings live). */
export function prose(markdown: string): string {
  const lines = markdown.split('\n');
  let fence: string | undefined;
  return lines
    .map((l) => {
      const f = /^\s*(`{3,})/.exec(l)?.[1];
      if (fence !== undefined) {
        if (l.trim() === fence) fence = undefined;
        return '';
      }
      if (f !== undefined) {
        fence = f;
        return '';
      }
      return l;
    })
    .join('\n');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a page offers: its headings (repeats numbered as GitHub does) and `<a id>`/`name`. */
export function anchors(markdown: string): Set<string> {
  const text = prose(markdown);
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1] ?? '');
  return out;
}
