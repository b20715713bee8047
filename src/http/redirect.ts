/** Following a redirect: the next hop's request, from the 3xx answer and the hop that got it. */

/** A hop of a redirect chain: what is sent, and where. */
export interface HopRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array | undefined;
}

/**
 * The hop a redirect asks for, or undefined when its location is not a URL: 303 (and 301/302 after
 * a POST) becomes a GET without the body, and another origin gets no credentials.
 */
export function redirected(location: string, status: number, from: HopRequest & { readonly origin: string }): HopRequest | undefined {
  let next: URL;
  try {
    next = new URL(location, from.url);
  } catch {
    return undefined;
  }
  let { method, headers, body } = from;
  if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
    method = method === 'HEAD' ? 'HEAD' : 'GET';
    body = undefined;
    headers = withoutKeys(headers, ['content-type', 'content-length']);
  }
  if (next.origin !== from.origin) headers = withoutKeys(headers, ['authorization', 'cookie']);
  return { url: next.href, method, headers, body };
}

function withoutKeys(headers: Record<string, string>, keys: readonly string[]): Record<string, string> {
  let copy: Record<string, string> | undefined;
  for (const k of keys) {
    if (k in headers) {
      copy ??= { ...headers };
      delete copy[k];
    }
  }
  return copy ?? headers;
}
