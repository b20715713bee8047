import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration tests share one Redis and one Kafka started (or found) by the global setup.
    globalSetup: ['test/setup/services.ts'],
    reporters: ['default'],
  },
});
