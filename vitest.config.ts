import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no root and runs in seconds (pure spec/plan code,
// golden files, the fake kernel); `root` runs ctnet against real namespaces.
// Root tests each build their own sandbox "host" namespace and skip (loudly)
// when not run as root.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/golden/**/*.test.ts', 'test/unit/**/*.test.ts'],
          globalSetup: ['test/helpers/cache-dir.ts'],
          pool: 'threads',
        },
      },
      {
        test: {
          name: 'root',
          include: ['test/kernel/**/*.test.ts', 'test/netns/**/*.test.ts'],
          globalSetup: ['test/helpers/cache-dir.ts'],
          // forks: a test file may move its own process into a sandbox namespace.
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
