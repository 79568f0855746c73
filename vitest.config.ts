import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['functions/**/*.test.ts', 'packages/**/*.test.ts', 'test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One control plane for the whole run; each test file works in its own namespace.
          globalSetup: ['test/integration/setup/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'real-node',
          include: ['test/real-node/**/*.test.ts'],
          // A control plane with a real node (root: kubelet, containerd, a bridge); undone and checked at the end.
          globalSetup: ['test/real-node/setup/global-setup.ts'],
          // Real pods are slow to start on a busy machine; one file at a time keeps the node's load low.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // The Knative stack (cert-manager, Serving, its networking layer, Eventing) and our chart on a real node.
          globalSetup: ['test/e2e/setup/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
