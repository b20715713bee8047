/** Reads HAProxy's stats CSV (`/stats;csv`): per backend server its state and traffic. */

/** One server of one backend, as HAProxy sees it. */
export interface ServerStats {
  /** Backend (service) name, e.g. `catalog`. */
  readonly backend: string;
  /** Server name, e.g. `catalog-2`. */
  readonly server: string;
  /** HAProxy's status: `UP`, `DOWN`, `UP 1/2` (going down), `DOWN 1/2` (coming up), `MAINT`, `no check`. */
  readonly status: string;
  /** HTTP responses this server gave (sum of hrsp_1xx…hrsp_other). */
  readonly responses: number;
  /** Connections currently open to it. */
  readonly current: number;
  /** Connection errors and retries/redispatches towards it. */
  readonly connectionErrors: number;
  readonly retries: number;
  readonly redispatches: number;
}

function num(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** Parses the CSV text of `/stats;csv`; keeps real servers only (not FRONTEND/BACKEND rows). */
export function parseStatsCsv(text: string): ServerStats[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').replace(/^#\s*/, '').split(',');
  const col = (name: string): number => header.indexOf(name);
  const out: ServerStats[] = [];
  for (const line of lines) {
    const f = line.split(',');
    const get = (name: string): string | undefined => f[col(name)];
    const server = get('svname') ?? '';
    if (server === 'FRONTEND' || server === 'BACKEND') continue;
    const responses = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'].reduce((s, c) => s + num(get(c)), 0);
    out.push({
      backend: get('pxname') ?? '',
      server,
      status: get('status') ?? '',
      responses,
      current: num(get('scur')),
      connectionErrors: num(get('econ')),
      retries: num(get('wretr')),
      redispatches: num(get('wredis')),
    });
  }
  return out;
}

/** Fetches and parses the gateway's stats; `statsUrl` is e.g. `http://127.0.0.1:8404`. */
export async function gatewayStats(statsUrl: string, timeoutMs = 2000): Promise<ServerStats[]> {
  const res = await fetch(`${statsUrl}/stats;csv`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`gateway stats answered ${res.status}`);
  return parseStatsCsv(await res.text());
}
