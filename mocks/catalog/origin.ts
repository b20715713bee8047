import type { CatalogConfig } from '../common/config.js';

/** One product as the catalog serves it. */
export interface Product {
  readonly id: number;
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  /** Price in cents. */
  readonly priceCents: number;
  readonly currency: 'EUR';
  readonly stock: number;
  /** Filler text sized by `catalog.payloadBytes`. */
  readonly description: string;
}

/** A page of products. `page` is 1-based. */
export interface ProductPage {
  readonly page: number;
  readonly size: number;
  readonly total: number;
  readonly pages: number;
  readonly items: readonly Product[];
}

const CATEGORIES = ['books', 'garden', 'kitchen', 'music', 'outdoor', 'toys', 'tools'] as const;
const WORDS = 'sturdy light compact classic premium handy quiet bright modular durable'.split(' ');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Deterministic pseudo-random 32-bit hash of an integer (the same product on every instance). */
function mix(n: number): number {
  let x = (n ^ 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Builds product `id` (pure, no latency). */
export function makeProduct(id: number, payloadBytes: number): Product {
  const h = mix(id);
  const word = WORDS[h % WORDS.length] ?? 'plain';
  let description = '';
  while (description.length < payloadBytes) description += `${word} product number ${id}. `;
  return {
    id,
    sku: `SKU-${String(id).padStart(6, '0')}`,
    name: `${word[0]?.toUpperCase() ?? ''}${word.slice(1)} item ${id}`,
    category: CATEGORIES[h % CATEGORIES.length] ?? 'misc',
    priceCents: 100 + (h % 99_900),
    currency: 'EUR',
    stock: h % 250,
    description: description.slice(0, payloadBytes),
  };
}

/**
 * The slow system of record behind the cache: every read waits `originLatencyMs` (the cost a cache
 * hit saves). Products exist for ids 1..productCount.
 */
export class Origin {
  /** Reads served by the origin since start (for tests and metrics). */
  reads = 0;
  constructor(private readonly cfg: CatalogConfig) {}

  /** Product `id`, or undefined when no such product exists. */
  async product(id: number): Promise<Product | undefined> {
    this.reads++;
    if (this.cfg.originLatencyMs > 0) await sleep(this.cfg.originLatencyMs);
    if (id < 1 || id > this.cfg.productCount) return undefined;
    return makeProduct(id, this.cfg.payloadBytes);
  }

  /** Page `page` (1-based) of `size` products; an empty `items` past the end. */
  async page(page: number, size: number): Promise<ProductPage> {
    this.reads++;
    if (this.cfg.originLatencyMs > 0) await sleep(this.cfg.originLatencyMs);
    const total = this.cfg.productCount;
    const first = (page - 1) * size + 1;
    const items: Product[] = [];
    for (let id = first; id <= Math.min(total, first + size - 1); id++) items.push(makeProduct(id, this.cfg.payloadBytes));
    return { page, size, total, pages: Math.ceil(total / size), items };
  }
}
