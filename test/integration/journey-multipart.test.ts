/**
 * File uploads end to end: `rampart run` posts a multipart body with a binary file and templated
 * fields; the server (Node http, parsing with the platform's multipart parser) receives every byte
 * and every field of every iteration, and answers with what it stored, which the journey captures.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scenarioFile } from '../support/run-helpers.js';

let server: http.Server;
let url: string;
const received: { user: string; iteration: string; filename: string; type: string; sha256: string; size: number }[] = [];
const photo = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
          const file = form.get('photo') as File;
          const bytes = Buffer.from(await file.arrayBuffer());
          received.push({ user: String(form.get('user')), iteration: String(form.get('iteration')), filename: file.name, type: file.type, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: received.length, size: bytes.length }));
        } catch (err) {
          res.writeHead(400).end(String(err));
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  url = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('multipart uploads', () => {
  it('sends the file byte for byte and the fields of each iteration', async () => {
    const { dir, file } = await scenarioFile(`
name: upload
target: ${url}
load: { vus: 2, iterations: 6 }
journeys:
  - name: upload
    steps:
      - name: upload
        post: /photos
        multipart:
          user: "vu-{{ vu.id }}"
          iteration: "{{ iteration }}"
          photo: { file: photo.jpg }
        expect: { status: 201, json: $.size, equals: ${photo.length} }
        capture:
          id: { json: $.id }
thresholds:
  "http.errors": "rate == 0"
  "expectations": "rate == 1"
`);
    await writeFile(join(dir, 'photo.jpg'), photo);
    const r = await runCli(['run', file, '--quiet'], { cwd: dir, env: {} });
    expect(r.stderr).not.toContain('internal error');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(received).toHaveLength(6);
    const sha = createHash('sha256').update(photo).digest('hex');
    for (const x of received) expect(x).toMatchObject({ filename: 'photo.jpg', type: 'image/jpeg', sha256: sha, size: photo.length });
    expect(new Set(received.map((x) => x.user))).toEqual(new Set(['vu-1', 'vu-2']));
    expect(received.every((x) => /^\d+$/.test(x.iteration))).toBe(true);
  }, 30_000);

  it('sends, per iteration, the file a data row names: every file read when the scenario loads', async () => {
    received.length = 0;
    const { dir, file } = await scenarioFile(`
name: upload-from-data
target: ${url}
data:
  uploads:
    file: uploads.csv
    order: sequential
load: { vus: 1, iterations: 6 }
journeys:
  - name: upload
    steps:
      - post: /photos
        multipart:
          user: "{{ uploads.user }}"
          iteration: "{{ iteration }}"
          photo: { file: "files/{{ uploads.name }}" }
        expect: { status: 201 }
thresholds:
  "http.errors": "rate == 0"
`);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'files'));
    const bodies: Record<string, Buffer> = { 'a.png': photo.subarray(0, 1000), 'b.txt': Buffer.from('plain text\n'), 'c.bin': photo };
    for (const [n, b] of Object.entries(bodies)) await writeFile(join(dir, 'files', n), b);
    await writeFile(join(dir, 'uploads.csv'), 'user,name\nann,a.png\nbob,b.txt\ncid,c.bin\n');
    const r = await runCli(['run', file, '--quiet'], { cwd: dir, env: {} });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(received).toHaveLength(6);
    const byUser = { ann: 'a.png', bob: 'b.txt', cid: 'c.bin' } as const;
    const types = { 'a.png': 'image/png', 'b.txt': 'text/plain', 'c.bin': 'application/octet-stream' } as Record<string, string>;
    for (const x of received) {
      const name = byUser[x.user as keyof typeof byUser];
      expect(x).toMatchObject({ filename: name, type: types[name], size: bodies[name]?.length, sha256: createHash('sha256').update(bodies[name] as Buffer).digest('hex') });
    }
    expect(received.map((x) => x.user)).toEqual(['ann', 'bob', 'cid', 'ann', 'bob', 'cid']);
  }, 30_000);
});
