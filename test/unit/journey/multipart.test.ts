/**
 * multipart/form-data bodies: what rampart sends is read back by the platform's own multipart
 * parser (undici's Response.formData, as a server framework would) with every field, file name,
 * content-type and byte intact; the scenario side reads files when it loads and names what is wrong.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecipe, renderRequest } from '../../../src/journey/request.js';
import { parseScenarioText } from '../../../src/scenario/index.js';
import type { BodyPlan, RequestStep } from '../../../src/scenario/plan.js';
import type { Scope } from '../../../src/scenario/template/index.js';
import { request, tpl } from '../../support/journey-plans.js';
import { httpDefaults } from '../../support/target-server.js';

const scope = (vars: Record<string, unknown>): Scope => ({ lookup: (k) => vars[k], random: () => 0, now: () => 0 });
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

async function parsed(body: string | Buffer | undefined, contentType: string | undefined): Promise<FormData> {
  return new Response(body, { headers: { 'content-type': contentType ?? '' } }).formData();
}

describe('a multipart body', () => {
  const body: BodyPlan = {
    kind: 'multipart',
    parts: [
      { name: 'user', value: tpl('{{ user }}') },
      { name: 'note "quoted"', value: tpl('line 1\nline 2') },
      { name: 'upload', file: { filename: 'bytes.bin', contentType: 'application/octet-stream', base64: allBytes.toString('base64') } },
      { name: 'avatar', file: { filename: 'a "b".png', contentType: 'image/png', base64: Buffer.from('png').toString('base64') } },
    ],
  };

  it('is read back intact by a multipart parser: fields rendered, files byte for byte', async () => {
    const r = buildRecipe(request('POST', '/upload', { body }), httpDefaults(), 'http://h');
    const { headers, body: wire } = renderRequest(r, 'http://h', scope({ user: 'qa-7' }));
    expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=----rampart[0-9a-f]{24}$/);
    const form = await parsed(wire, headers['content-type']);
    expect(form.get('user')).toBe('qa-7');
    // Quotes in names travel escaped (%22) and come back as quotes; line breaks become CRLF.
    expect(form.get('note "quoted"')).toBe('line 1\r\nline 2');
    const upload = form.get('upload') as File;
    expect(upload.name).toBe('bytes.bin');
    expect(upload.type).toBe('application/octet-stream');
    expect(Buffer.from(await upload.arrayBuffer()).equals(allBytes)).toBe(true);
    const avatar = form.get('avatar') as File;
    expect([avatar.name, avatar.type]).toEqual(['a "b".png', 'image/png']);
  });

  it('is rendered once when constant, per request when templated; each step has its own boundary', () => {
    const constant: RequestStep = request('POST', '/u', { body: { kind: 'multipart', parts: [{ name: 'a', value: tpl('1') }] } });
    const a = buildRecipe(constant, httpDefaults(), 'http://h');
    const b = buildRecipe(constant, httpDefaults(), 'http://h');
    expect(a.staticBody).toBeInstanceOf(Buffer);
    expect(a.boundary).not.toBe(b.boundary);
    expect(buildRecipe(request('POST', '/u', { body }), httpDefaults(), 'http://h').staticBody).toBeUndefined();
  });
});

describe('multipart in a scenario', () => {
  const head = 'name: t\ntarget: http://127.0.0.1:1\nload: { vus: 1, duration: 1s }\njourneys:\n  - name: j\n    steps:\n      - post: /upload\n        multipart:\n';

  it('reads files when it loads: bytes, the file name, a content-type from the extension', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-multipart-'));
    await writeFile(join(dir, 'photo.png'), allBytes);
    await writeFile(join(dir, 'data.weird'), 'x');
    const file = join(dir, 's.yaml');
    const r = await parseScenarioText(`${head}          title: "{{ vu.id }}"\n          photo: { file: photo.png }\n          other: { file: data.weird, filename: renamed.txt }\n          typed: { file: data.weird, contentType: text/csv }\n`, file, { env: {} }, file);
    expect(r.problems).toEqual([]);
    const step = r.plan?.journeys[0]?.steps[0] as RequestStep;
    expect(step.body?.kind).toBe('multipart');
    const parts = (step.body as Extract<BodyPlan, { kind: 'multipart' }>).parts;
    expect(parts.map((p) => p.name)).toEqual(['title', 'photo', 'other', 'typed']);
    expect(parts[1]).toEqual({ name: 'photo', file: { filename: 'photo.png', contentType: 'image/png', base64: allBytes.toString('base64') } });
    expect(parts[2]).toMatchObject({ file: { filename: 'renamed.txt', contentType: 'application/octet-stream' } });
    expect(parts[3]).toMatchObject({ file: { filename: 'data.weird', contentType: 'text/csv' } });
  });

  it('repeats a field given a list: several files under one name, in order, as a parser reads them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-multipart-'));
    await writeFile(join(dir, 'a.txt'), 'first');
    await writeFile(join(dir, 'b.txt'), 'second');
    const file = join(dir, 's.yaml');
    const r = await parseScenarioText(`${head}          docs: [{ file: a.txt }, { file: b.txt }, note]\n`, file, { env: {} }, file);
    expect(r.problems).toEqual([]);
    const step = r.plan?.journeys[0]?.steps[0] as RequestStep;
    const recipe = buildRecipe(step, httpDefaults(), 'http://h');
    const { headers, body: wire } = renderRequest(recipe, 'http://h', scope({}));
    const all = (await parsed(wire, headers['content-type'])).getAll('docs');
    expect(await Promise.all(all.map((x) => (typeof x === 'string' ? x : x.text())))).toEqual(['first', 'second', 'note']);
    expect(all.slice(0, 2).map((x) => (x as File).name)).toEqual(['a.txt', 'b.txt']);
  });

  it('names a typo in a file part with its fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-multipart-'));
    const file = join(dir, 's.yaml');
    const r = await parseScenarioText(`${head}          photo: { fil: x.png }\n`, file, { env: {} }, file);
    expect(r.problems.map((p) => [p.message, p.hint])).toEqual([['unknown key `fil` in `photo`', 'did you mean `file`?']]);
  });

  it('names a missing file at its line, and refuses a second body', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-multipart-'));
    const file = join(dir, 's.yaml');
    const missing = await parseScenarioText(`${head}          photo: { file: nope.png }\n`, file, { env: {} }, file);
    expect(missing.problems).toHaveLength(1);
    expect(missing.problems[0]).toMatchObject({ code: 'RAMPART_DATA_FILE', message: 'multipart file not found: nope.png', loc: { line: 9, pointer: '/journeys/0/steps/0/multipart/photo/file' } });
    const two = await parseScenarioText(`${head}          a: 1\n        json: { a: 1 }\n`, file, { env: {} }, file);
    expect(two.problems.map((p) => p.message)).toEqual(['a request has one body: json and multipart given']);
  });
});
