/**
 * Every relative link of the manual leads somewhere: the file exists, and an `#anchor` names a
 * heading (or an `<a id>`) of the page it points into. Links out of the repository are not fetched.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, manualFiles, prose, readManual, repoRoot, slug } from '../../support/manual.js';

/** `[text](target)` and `![alt](target)` outside code, with the line they are on. */
function links(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  prose(markdown)
    .split('\n')
    .forEach((l, i) => {
      const text = l.replace(/(`+)[\s\S]*?\1/g, '');
      for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1] ?? '', line: i + 1 });
    });
  return out;
}

/** What is wrong with one link of `file`, or undefined. */
function broken(file: string, target: string): string | undefined {
  if (/^[a-z][a-z+.-]*:/i.test(target)) return undefined;
  const [path = '', hash] = target.split('#', 2);
  const abs = path === '' ? join(repoRoot, file) : normalize(join(repoRoot, dirname(file), decodeURIComponent(path)));
  if (!abs.startsWith(repoRoot)) return 'leaves the repository';
  if (!existsSync(abs)) return 'no such file';
  if (hash === undefined) return undefined;
  if (statSync(abs).isDirectory() || !abs.endsWith('.md')) return 'an anchor into something that is not a page';
  return anchors(readManual(abs.slice(repoRoot.length))).has(decodeURIComponent(hash)) ? undefined : 'no such heading';
}

describe('links of the manual', () => {
  it.each(manualFiles())('every relative link of %s resolves', (file) => {
    const bad = links(readManual(file)).flatMap(({ target, line }) => {
      const why = broken(file, target);
      return why === undefined ? [] : [`${file}:${line}: ${target} (${why})`];
    });
    expect(bad).toEqual([]);
  });

  it('every page of docs/ is reachable from the README', () => {
    const reached = new Set<string>();
    const queue = ['README.md'];
    while (queue.length > 0) {
      const file = queue.shift() ?? '';
      if (reached.has(file)) continue;
      reached.add(file);
      for (const { target } of links(readManual(file))) {
        const path = target.split('#')[0] ?? '';
        if (!path.endsWith('.md') || /^[a-z][a-z+.-]*:/i.test(path)) continue;
        const rel = normalize(join(dirname(file), path));
        if (rel.startsWith('docs/') || rel === 'CONTRIBUTING.md') queue.push(rel);
      }
    }
    expect(manualFiles().filter((f) => !reached.has(f))).toEqual([]);
  });

  it('the README stays a five-minute page', () => {
    expect(Buffer.byteLength(readManual('README.md'))).toBeLessThan(15 * 1024);
  });

  it('finds anchors as GitHub makes them', () => {
    expect(slug('Baseline comparison: `rampart compare` and `--baseline`')).toBe('baseline-comparison-rampart-compare-and---baseline');
    expect(slug('`load`: one model, or several blocks at once')).toBe('load-one-model-or-several-blocks-at-once');
    expect([...anchors('# A\n## A\n```\n# not a heading\n```\n<a id="x"></a>')]).toEqual(['a', 'a-1', 'x']);
    expect(broken('docs/README.md', 'running.md#no-such-heading')).toBe('no such heading');
    expect(broken('docs/README.md', 'nowhere.md')).toBe('no such file');
    expect(broken('docs/README.md', 'running.md#exit-codes')).toBeUndefined();
  });
});
