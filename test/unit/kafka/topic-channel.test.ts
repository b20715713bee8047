import { describe, expect, it } from 'vitest';
import { TopicChannel, type ChannelMessage } from '../../../src/kafka/topic-channel.js';

interface M extends ChannelMessage {
  readonly n: number;
}
const msg = (key: string, n = 0): M => ({ key, n, arrivedMs: 0 });
const byKey = (k: string) => (m: M): boolean => m.key === k;
const index = (k: string) => ({ id: 'key', subject: (m: M) => m.key, value: k });

describe('TopicChannel: one topic fanned out to waiting steps', () => {
  it('hands a message to the waiter it matches, and to no other', async () => {
    const c = new TopicChannel<M>(10);
    const a = c.wait(byKey('a'));
    const b = c.wait(byKey('b'), index('b'));
    c.push(msg('b', 1));
    c.push(msg('a', 2));
    expect((await a.message)?.n).toBe(2);
    expect((await b.message)?.n).toBe(1);
    expect(c.waiting).toBe(0);
    expect(c.buffered).toBe(0);
  });

  it('keeps unmatched messages for later waiters, oldest first, and a message is claimed once', async () => {
    const c = new TopicChannel<M>(10);
    c.push(msg('x', 1));
    c.push(msg('x', 2));
    expect((await c.wait(byKey('x')).message)?.n).toBe(1);
    expect((await c.wait(byKey('x'), index('x')).message)?.n).toBe(2);
    expect(c.buffered).toBe(0);
  });

  it('bounds the buffer: past capacity the oldest unmatched message is dropped and counted', async () => {
    let drops = 0;
    const c = new TopicChannel<M>(3, () => drops++);
    for (let i = 0; i < 5; i++) c.push(msg('k', i));
    expect(c.buffered).toBe(3);
    expect(c.dropped).toBe(2);
    expect(drops).toBe(2);
    expect((await c.wait(byKey('k')).message)?.n).toBe(2);
  });

  it('a cancelled wait resolves undefined and leaves later messages to others', async () => {
    const c = new TopicChannel<M>(10);
    const w = c.wait(byKey('a'), index('a'));
    w.cancel();
    expect(await w.message).toBeUndefined();
    c.push(msg('a'));
    expect(c.buffered).toBe(1);
  });

  it('an indexed waiter still checks its whole match', async () => {
    const c = new TopicChannel<M>(10);
    const w = c.wait((m) => m.key === 'a' && m.n === 2, index('a'));
    c.push(msg('a', 1));
    c.push(msg('a', 2));
    expect((await w.message)?.n).toBe(2);
    expect(c.buffered).toBe(1);
  });
});
