import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AdminConfig } from './config.js';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A preHandler for admin operations: when `admin.token` is set, requires
 * `Authorization: Bearer <token>` (401 otherwise); with no token configured, lets everything through.
 */
export function adminGuard(admin: AdminConfig): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const token = admin.token;
    if (token === undefined) return undefined;
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (m?.[1] !== undefined && sameSecret(m[1].trim(), token)) return undefined;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="rampart-mocks-admin"')
      .send({ error: 'admin token required: Authorization: Bearer <token>' });
  };
}
