/** pako's two functions on Node's zlib (scripts/pako-on-zlib.mjs). */
export declare function inflate(data: Uint8Array): Uint8Array;
export declare function deflate(data: Uint8Array, options?: { level?: number }): Uint8Array;
