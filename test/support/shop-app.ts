/**
 * A small shop for the import tests, on 127.0.0.1 port 0: every step needs a value the previous
 * answer gave — a login form's CSRF token (HTML, tied to the session cookie), a redirect to a
 * per-session home (Location), a bearer token (JSON), and an order id in the next URL (JSON).
 * Replaying recorded values instead of fresh ones fails. The pages work in a browser too: the home
 * page's script fetches the token and the products, adds to the cart and checks out, then opens
 * the order's page.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface ShopApp {
  readonly url: string;
  close(): Promise<void>;
}

interface Session {
  csrf: string;
  home?: string;
  token?: string;
  orders: Set<string>;
}

const id = (n = 8): string => randomBytes(n).toString('hex');

async function bodyOf(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += String(c);
  return s;
}

/** The page after login: what a user clicks through in the browser test. */
const HOME_PAGE = `<!doctype html><html><head><title>Products</title></head><body>
<h1>Welcome</h1><ul id="products"></ul><p id="cart">empty</p><button id="checkout" disabled>Checkout</button><a id="order" href="#">no order yet</a>
<script>
let token;
const api = (method, path, body) => fetch(path, { method, headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then((r) => r.json());
(async () => {
  token = (await fetch('/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"qa"}' }).then((r) => r.json())).token;
  const { items } = await api('GET', '/api/products');
  for (const p of items) {
    const li = document.createElement('li');
    li.innerHTML = p.name + ' <button class="add" data-sku="' + p.sku + '">Add to cart</button>';
    document.getElementById('products').append(li);
  }
  document.querySelectorAll('button.add').forEach((b) => b.addEventListener('click', async () => {
    await api('POST', '/api/cart', { sku: b.dataset.sku });
    document.getElementById('cart').textContent = 'in cart: ' + b.dataset.sku;
    document.getElementById('checkout').disabled = false;
  }));
  document.getElementById('checkout').addEventListener('click', async () => {
    const { order } = await api('POST', '/api/checkout', { sku: 'p-1', qty: 1 });
    const link = document.getElementById('order');
    link.href = '/orders/' + order.orderId;
    link.textContent = 'order ' + order.orderId;
  });
})();
</script></body></html>`;

export async function startShopApp(): Promise<ShopApp> {
  const sessions = new Map<string, Session>();
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  const session = (req: IncomingMessage): Session | undefined => {
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid !== undefined ? sessions.get(sid) : undefined;
  };
  const send = (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(body);
  };
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const s = session(req);
    const body = await bodyOf(req);
    if (req.method === 'GET' && url.pathname === '/login') {
      const sid = id();
      const csrf = id(16);
      sessions.set(sid, { csrf, orders: new Set() });
      return send(res, 200, 'text/html', `<html><head><title>Login</title><link rel="stylesheet" href="/app.css"></head><body><form method="post" action="/login"><input type="hidden" name="csrf" value="${csrf}"><input name="user"><button>Sign in</button></form></body></html>`, { 'set-cookie': `sid=${sid}; Path=/; HttpOnly` });
    }
    if (req.method === 'GET' && url.pathname === '/app.css') return send(res, 200, 'text/css', 'body{font:14px sans-serif}');
    if (!s) return send(res, 401, 'text/plain', 'no session');
    if (req.method === 'POST' && url.pathname === '/login') {
      const form = new URLSearchParams(body);
      if (form.get('csrf') !== s.csrf) return send(res, 403, 'text/plain', 'bad csrf token');
      s.home = id(6);
      res.writeHead(302, { location: `/home/${s.home}` });
      return void res.end();
    }
    if (req.method === 'GET' && url.pathname.startsWith('/home/')) {
      if (url.pathname !== `/home/${s.home ?? ''}`) return send(res, 404, 'text/plain', 'no such home');
      return send(res, 200, 'text/html', HOME_PAGE);
    }
    const page = /^\/orders\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && page) {
      return s.orders.has(page[1] ?? '') ? send(res, 200, 'text/html', `<html><head><title>Order</title></head><body><h1 id="status">Order ${page[1] ?? ''} paid</h1></body></html>`) : send(res, 404, 'text/plain', 'no such order');
    }
    if (req.method === 'POST' && url.pathname === '/api/token') {
      s.token = id(20);
      return send(res, 200, 'application/json', JSON.stringify({ token: s.token, expiresIn: 3600 }));
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined || bearer !== s.token) return send(res, 401, 'application/json', '{"error":"bad token"}');
    if (req.method === 'GET' && url.pathname === '/api/products') return send(res, 200, 'application/json', JSON.stringify({ items: [{ sku: 'p-1', name: 'kettle' }, { sku: 'p-2', name: 'teapot' }] }));
    if (req.method === 'POST' && url.pathname === '/api/cart') return send(res, 200, 'application/json', JSON.stringify({ items: 1, sku: (JSON.parse(body || '{}') as { sku?: string }).sku }));
    if (req.method === 'POST' && url.pathname === '/api/checkout') {
      const order = `ord-${id(5)}`;
      s.orders.add(order);
      return send(res, 201, 'application/json', JSON.stringify({ order: { orderId: order, total: 42 } }));
    }
    const m = /^\/api\/orders\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) return s.orders.has(m[1] ?? '') ? send(res, 200, 'application/json', JSON.stringify({ status: 'paid' })) : send(res, 404, 'application/json', '{"error":"no such order"}');
    return send(res, 404, 'text/plain', 'not found');
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** One exchange to record: what a browser would send. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly resourceType?: string;
}

/**
 * Records exchanges against a live server as HAR 1.2, as a browser's DevTools would: real requests
 * (redirects not followed: each hop is an entry), the cookies the server set sent back, real
 * timings. `next` picks each request from the answers so far, as a user clicking would.
 */
export async function recordHar(base: string, next: (answers: readonly { status: number; headers: Headers; text: string }[]) => Exchange | undefined): Promise<unknown> {
  const cookies = new Map<string, string>();
  const entries: unknown[] = [];
  const answers: { status: number; headers: Headers; text: string }[] = [];
  for (let x = next(answers); x !== undefined; x = next(answers)) {
    const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130', 'sec-ch-ua': '"Chromium";v="130"', ...x.headers };
    if (cookies.size > 0) headers['cookie'] = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const started = new Date();
    const res = await fetch(base + x.path, { method: x.method, headers, redirect: 'manual', ...(x.body !== undefined ? { body: x.body } : {}) });
    const text = await res.text();
    const time = Date.now() - started.getTime();
    for (const c of res.headers.getSetCookie()) {
      const m = /^([^=]+)=([^;]*)/.exec(c);
      if (m) cookies.set(m[1] ?? '', m[2] ?? '');
    }
    answers.push({ status: res.status, headers: res.headers, text });
    const url = new URL(base + x.path);
    entries.push({
      startedDateTime: started.toISOString(),
      time,
      _resourceType: x.resourceType ?? 'fetch',
      request: {
        method: x.method,
        url: url.href,
        httpVersion: 'HTTP/1.1',
        headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
        queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
        cookies: [],
        headersSize: -1,
        bodySize: x.body?.length ?? 0,
        ...(x.body !== undefined ? { postData: { mimeType: headers['content-type'] ?? 'text/plain', text: x.body } } : {}),
      },
      response: {
        status: res.status,
        statusText: res.statusText,
        httpVersion: 'HTTP/1.1',
        // Headers iterate set-cookie one by one, as HAR lists them.
        headers: [...res.headers].map(([name, value]) => ({ name, value })),
        cookies: [],
        content: { size: text.length, mimeType: res.headers.get('content-type') ?? '', text },
        redirectURL: res.headers.get('location') ?? '',
        headersSize: -1,
        bodySize: text.length,
      },
      cache: {},
      timings: { send: 0, wait: time, receive: 0 },
    });
  }
  return { log: { version: '1.2', creator: { name: 'rampart-test-recorder', version: '1' }, pages: [], entries } };
}
