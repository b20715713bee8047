import { mkdtemp, readdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertWritable, writeFileAtomic } from '../../../src/report/atomic-write.js';
import { EngineError } from '../../../src/errors.js';

describe('atomic write', () => {
  it('writes through a temp file and leaves nothing else behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-aw-'));
    const path = join(dir, 'report.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, '{"new":true}');
    expect(await readFile(path, 'utf8')).toBe('{"new":true}');
    expect(await readdir(dir)).toEqual(['report.json']);
  });

  it('creates missing directories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-aw-'));
    await writeFileAtomic(join(dir, 'a', 'b', 'r.json'), 'x');
    expect(await readFile(join(dir, 'a', 'b', 'r.json'), 'utf8')).toBe('x');
  });

  it('refuses a directory, or a path below a file, before any run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-aw-'));
    await expect(assertWritable(dir)).rejects.toThrow(EngineError);
    await writeFile(join(dir, 'file'), 'x');
    await expect(assertWritable(join(dir, 'file', 'r.json'))).rejects.toMatchObject({ code: 'RAMPART_REPORT_WRITE' });
    await assertWritable(join(dir, 'ok.json'));
    expect((await readdir(dir)).sort()).toEqual(['file']);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a read-only directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-aw-'));
    await chmod(dir, 0o500);
    await expect(assertWritable(join(dir, 'r.json'))).rejects.toThrow(/cannot write/);
  });
});
