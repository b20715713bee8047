/**
 * The network settings of `http`: `tls` (see tls.ts), the forward proxy — `http.proxy`, or else the
 * HTTP_PROXY / HTTPS_PROXY / NO_PROXY variables of the environment the scenario is loaded with,
 * unless `--no-proxy` — and `hosts`. Proxy credentials and TLS passphrases join the plan's secrets.
 */
import { isIP } from 'node:net';
import { ERROR_CODES } from '../../errors.js';
import type { HostAddress, NetworkSettings, ProxyPlan } from '../plan-network.js';
import type { NormContext, Obj } from './context.js';
import { ptr } from './context.js';
import { tlsPlan } from './tls.js';

/** How the environment's proxy variables are used. */
export interface ProxyEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--no-proxy`: ignore HTTP_PROXY / HTTPS_PROXY / NO_PROXY. */
  readonly noProxy?: boolean;
}

/** Checks a proxy URL; records its credentials as secrets. Returns it without a trailing slash, or undefined. */
function proxyUrl(ctx: NormContext, raw: string, pointer: string, what: string, secrets: string[]): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    ctx.problem(ERROR_CODES.NETWORK, `${what} is not a URL: "${raw.replace(/\/\/[^@/]*@/, '//…@')}"`, pointer, 'write http://[user:password@]host:port');
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '' || (u.pathname !== '/' && u.pathname !== '') || u.search !== '') {
    ctx.problem(ERROR_CODES.NETWORK, `${what} must be http:// or https:// with a host and no path`, pointer, 'write http://[user:password@]host:port');
    return undefined;
  }
  if (u.password !== '') {
    secrets.push(u.password, decodeURIComponent(u.password), `${u.username}:${u.password}`);
    // The Proxy-Authorization value as sent.
    secrets.push(Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64'));
  } else if (u.username !== '') {
    secrets.push(u.username);
  }
  return u.href.replace(/\/$/, '');
}

function envProxy(ctx: NormContext, pe: ProxyEnv, secrets: string[]): ProxyPlan | undefined {
  if (pe.noProxy === true) return undefined;
  const get = (name: string): string | undefined => {
    const v = pe.env[name.toLowerCase()] ?? pe.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const http = get('HTTP_PROXY');
  const https = get('HTTPS_PROXY');
  if (http === undefined && https === undefined) return undefined;
  const h = http !== undefined ? proxyUrl(ctx, http, '', 'HTTP_PROXY', secrets) : undefined;
  const s = https !== undefined ? proxyUrl(ctx, https, '', 'HTTPS_PROXY', secrets) : undefined;
  const noProxy = (get('NO_PROXY') ?? '').split(/[\s,]+/).map((e) => e.toLowerCase()).filter((e) => e !== '');
  return { ...(h !== undefined ? { http: h } : {}), ...(s !== undefined ? { https: s } : {}), noProxy, source: 'environment' };
}

/** `10.0.0.7`, `10.0.0.7:8443`, `[::1]:8443`, `::1`, `staging.internal:8443`. */
function hostAddress(raw: string): HostAddress | undefined {
  const s = raw.trim();
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(s);
  if (v6) return isIP(v6[1] as string) === 6 ? withPort(v6[1] as string, v6[2]) : undefined;
  if (isIP(s) === 6) return { address: s };
  const m = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(s);
  return m ? withPort(m[1] as string, m[2]) : undefined;
}

function withPort(address: string, port: string | undefined): HostAddress | undefined {
  if (port === undefined) return { address };
  const n = Number(port);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? { address, port: n } : undefined;
}

function hosts(ctx: NormContext, o: Obj | undefined): Record<string, HostAddress> | undefined {
  if (o === undefined) return undefined;
  const out: Record<string, HostAddress> = {};
  for (const [name, value] of Object.entries(o)) {
    const a = hostAddress(String(value));
    if (a === undefined) {
      ctx.problem(ERROR_CODES.NETWORK, `\`${String(value)}\` is not an address for ${name}`, ptr('/http/hosts', name), 'write an IP address or a host name, optionally with :port (IPv6 in brackets: [::1]:8443)');
      continue;
    }
    out[name.toLowerCase()] = a;
  }
  return out;
}

/** The network settings of `http` (`h`), with files relative to `baseDir`; secrets found are pushed to `secrets`. */
export async function networkSettings(ctx: NormContext, h: Obj | undefined, baseDir: string, pe: ProxyEnv, secrets: string[]): Promise<NetworkSettings> {
  const tls = await tlsPlan(ctx, h?.tls as Obj | undefined, baseDir, secrets);
  let proxy: ProxyPlan | undefined;
  if (typeof h?.proxy === 'string') {
    const url = proxyUrl(ctx, h.proxy, '/http/proxy', '`proxy`', secrets);
    if (url !== undefined) proxy = { http: url, https: url, noProxy: [], source: 'scenario' };
  } else {
    proxy = envProxy(ctx, pe, secrets);
  }
  const hostMap = hosts(ctx, h?.hosts as Obj | undefined);
  return { ...(tls !== undefined ? { tls } : {}), ...(proxy !== undefined ? { proxy } : {}), ...(hostMap !== undefined ? { hosts: hostMap } : {}) };
}
