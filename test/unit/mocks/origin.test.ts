import { describe, expect, it } from 'vitest';
import { Origin, makeProduct } from '../../../mocks/catalog/origin.js';
import { DEFAULT_CONFIG } from '../../../mocks/common/config.js';

describe('catalog origin', () => {
  it('builds the same product for the same id, sized by payloadBytes', () => {
    expect(makeProduct(17, 100)).toEqual(makeProduct(17, 100));
    expect(makeProduct(17, 100).description).toHaveLength(100);
    expect(makeProduct(17, 0).description).toBe('');
    expect(makeProduct(1, 10)).not.toEqual(makeProduct(2, 10));
  });

  it('waits the origin latency and knows only ids 1..productCount', async () => {
    const o = new Origin({ ...DEFAULT_CONFIG.catalog, originLatencyMs: 20, productCount: 3 });
    const t0 = performance.now();
    expect(await o.product(3)).toMatchObject({ id: 3 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(19);
    expect(await o.product(4)).toBeUndefined();
    expect(await o.product(0)).toBeUndefined();
    const last = await o.page(2, 2);
    expect(last).toMatchObject({ page: 2, size: 2, total: 3, pages: 2 });
    expect(last.items.map((p) => p.id)).toEqual([3]);
    expect((await o.page(5, 2)).items).toEqual([]);
    expect(o.reads).toBe(5);
  });
});
