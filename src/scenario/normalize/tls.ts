/**
 * `http.tls`: the files are read when the scenario loads, and checked the way a handshake would use
 * them — a CA file holds certificates, a key matches its certificate, a passphrase opens its pfx or
 * key — so a wrong file is a problem at its position, not a failure in the middle of a run.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ERROR_CODES } from '../../errors.js';
import type { TlsPlan, TlsSettings, TlsVersion } from '../plan-network.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';

/** Larger files are not certificates or keys. */
const MAX_TLS_FILE_BYTES = 1024 * 1024;
const VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

type Files = Map<string, Promise<Buffer | NodeJS.ErrnoException>>;

async function readTlsFile(ctx: NormContext, files: Files, baseDir: string, rel: string, pointer: string): Promise<Buffer | undefined> {
  const path = isAbsolute(rel) ? rel : resolve(baseDir, rel);
  let p = files.get(path);
  if (p === undefined) {
    p = readFile(path).then(
      (b) => (b.length > MAX_TLS_FILE_BYTES ? Object.assign(new Error('too large'), { code: 'EFBIG' }) : b),
      (e: NodeJS.ErrnoException) => e,
    );
    files.set(path, p);
  }
  const got = await p;
  if (Buffer.isBuffer(got)) return got;
  const why = got.code === 'ENOENT' ? 'not found' : got.code === 'EFBIG' ? 'larger than 1 MiB' : got.code === 'EISDIR' ? 'a directory' : `unreadable (${got.code ?? got.message})`;
  ctx.problem(ERROR_CODES.TLS_FILE, `TLS file ${rel} is ${why}`, pointer, `paths are relative to the scenario file (${baseDir})`);
  return undefined;
}

function opensslReason(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/i, '').trim() || m;
}

/** One settings block (`http.tls` or one origin's), over `base` when given. */
async function settings(ctx: NormContext, o: Obj, at: string, baseDir: string, files: Files, base?: TlsSettings): Promise<TlsSettings> {
  const out: { -readonly [K in keyof TlsSettings]: TlsSettings[K] } = { ...(base ?? { caMode: 'add' }) };
  if (o.ca !== undefined) {
    const list = typeof o.ca === 'string' ? [o.ca] : (o.ca as string[]);
    const pems: string[] = [];
    for (const [i, rel] of list.entries()) {
      const pointer = typeof o.ca === 'string' ? ptr(at, 'ca') : ptr(ptr(at, 'ca'), i);
      const buf = await readTlsFile(ctx, files, baseDir, rel, pointer);
      if (buf === undefined) continue;
      const pem = buf.toString('utf8');
      const certs = pem.match(PEM_CERT) ?? [];
      try {
        if (certs.length === 0) throw new Error('no PEM certificate (-----BEGIN CERTIFICATE-----) in it');
        for (const c of certs) new X509Certificate(c);
        pems.push(pem);
      } catch (err) {
        ctx.problem(ERROR_CODES.TLS_FILE, `CA file ${rel}: ${opensslReason(err)}`, pointer, 'give PEM certificate files (convert DER with `openssl x509 -inform der`)');
      }
    }
    out.ca = pems;
  }
  if (o.caMode !== undefined) out.caMode = o.caMode as 'add' | 'replace';
  const identity = o.cert !== undefined || o.key !== undefined || o.pfx !== undefined;
  if (identity) {
    // A block that names a client identity replaces the inherited one as a whole.
    delete out.cert;
    delete out.key;
    delete out.pfx;
    if (o.pfx !== undefined && (o.cert !== undefined || o.key !== undefined)) {
      ctx.problem(ERROR_CODES.SEMANTIC, 'give either `pfx` or `cert` and `key`, not both', ptr(at, 'pfx'));
    }
    for (const k of ['cert', 'key', 'pfx'] as const) {
      if (typeof o[k] !== 'string') continue;
      const buf = await readTlsFile(ctx, files, baseDir, o[k], ptr(at, k));
      if (buf !== undefined) out[k] = k === 'pfx' ? buf.toString('base64') : buf.toString('utf8');
    }
    if ((o.cert === undefined) !== (o.key === undefined) && o.pfx === undefined) {
      const missing = o.cert === undefined ? 'cert' : 'key';
      ctx.problem(ERROR_CODES.SEMANTIC, `a client certificate needs both \`cert\` and \`key\`: \`${missing}\` is missing`, ptr(at, o.cert === undefined ? 'key' : 'cert'));
    }
  }
  if (typeof o.passphrase === 'string') out.passphrase = o.passphrase;
  if (typeof o.servername === 'string') out.servername = o.servername;
  if (o.minVersion !== undefined) out.minVersion = o.minVersion as TlsVersion;
  if (o.maxVersion !== undefined) out.maxVersion = o.maxVersion as TlsVersion;
  const setsVersion = o.minVersion !== undefined || o.maxVersion !== undefined;
  if (setsVersion && out.minVersion !== undefined && out.maxVersion !== undefined && VERSIONS.indexOf(out.minVersion) > VERSIONS.indexOf(out.maxVersion)) {
    ctx.problem(ERROR_CODES.SEMANTIC, `\`minVersion\` ${out.minVersion} is above \`maxVersion\` ${out.maxVersion}`, ptr(at, o.minVersion !== undefined ? 'minVersion' : 'maxVersion'));
  }
  checkIdentity(ctx, out, o, at);
  return out;
}

/** Builds a secure context as a connection would: a key not matching its certificate or a wrong passphrase fails here. */
function checkIdentity(ctx: NormContext, s: TlsSettings, o: Obj, at: string): void {
  const hasPair = s.cert !== undefined && s.key !== undefined;
  if (!hasPair && s.pfx === undefined) return;
  // Only the block that names the identity or the passphrase reports on it (an origin that only sets servername does not).
  if (o.cert === undefined && o.key === undefined && o.pfx === undefined && o.passphrase === undefined) return;
  try {
    createSecureContext(
      s.pfx !== undefined
        ? { pfx: Buffer.from(s.pfx, 'base64'), ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}) }
        : { cert: s.cert, key: s.key, ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}) },
    );
  } catch (err) {
    const reason = opensslReason(err);
    const code = (err as { code?: string }).code ?? '';
    if (/mismatch/i.test(code) || /values mismatch/i.test(reason)) {
      ctx.problem(ERROR_CODES.TLS_FILE, `the client key does not match its certificate (${reason})`, ptr(at, o.key !== undefined ? 'key' : 'cert'), 'give the key the certificate was issued for');
    } else if (/mac verify|bad decrypt|passphrase|password|decrypt/i.test(reason + code)) {
      const where = o.passphrase !== undefined ? 'passphrase' : s.pfx !== undefined ? 'pfx' : 'key';
      ctx.problem(ERROR_CODES.TLS_FILE, `wrong or missing passphrase for the client ${s.pfx !== undefined ? 'pfx' : 'key'} (${reason})`, ptr(at, where), 'set `passphrase` (from an environment variable: passphrase: ${TLS_PASSPHRASE})');
    } else {
      const where = s.pfx !== undefined ? 'pfx' : o.key !== undefined ? 'key' : 'cert';
      ctx.problem(ERROR_CODES.TLS_FILE, `the client certificate cannot be used: ${reason}`, ptr(at, where), s.pfx !== undefined ? 'give a PKCS#12 (.pfx/.p12) file' : 'give PEM files (-----BEGIN CERTIFICATE----- / -----BEGIN … PRIVATE KEY-----)');
    }
  }
}

/** The normalized origin of a `https://host[:port]` key: lower-case host, port 443 elided. */
export function tlsOriginKey(origin: string): string {
  const u = new URL(origin);
  return u.origin;
}

/** `http.tls`, or undefined when the scenario has none. Passphrases are added to `secrets`. */
export async function tlsPlan(ctx: NormContext, o: Obj | undefined, baseDir: string, secrets: string[]): Promise<TlsPlan | undefined> {
  if (o === undefined) return undefined;
  const files: Files = new Map();
  const base = await settings(ctx, o, '/http/tls', baseDir, files);
  const origins: Record<string, TlsSettings> = {};
  for (const [origin, sub] of Object.entries((o.origins as Obj | undefined) ?? {})) {
    const at = ptr('/http/tls/origins', origin);
    let key: string;
    try {
      key = tlsOriginKey(origin);
    } catch {
      ctx.problem(ERROR_CODES.SEMANTIC, `\`${origin}\` is not an origin (https://host[:port])`, at, undefined, true);
      continue;
    }
    if (Object.hasOwn(origins, key)) ctx.problem(ERROR_CODES.SEMANTIC, `two entries name the origin ${key}`, at, undefined, true);
    origins[key] = await settings(ctx, sub as Obj, at, baseDir, files, base);
  }
  for (const s of [base, ...Object.values(origins)]) if (s.passphrase !== undefined && s.passphrase !== '') secrets.push(s.passphrase);
  return { base, origins };
}
