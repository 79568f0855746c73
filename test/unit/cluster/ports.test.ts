import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestBedError } from '../../cluster/errors.ts';
import { portFromEnv } from '../../cluster/ports.ts';

const setting = 'MCPG_TEST_PORT_SETTING';

describe('portFromEnv', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('picks a free loopback port when the setting is absent', async () => {
    const port = await portFromEnv(setting);
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });

  it.each(['abc', '0', '70000', '12.5'])('refuses %j naming the setting', async (raw) => {
    vi.stubEnv(setting, raw);
    await expect(portFromEnv(setting)).rejects.toThrow(`${setting} must be a port number from 1 to 65535`);
  });

  it('refuses a taken port with what to do about it', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    vi.stubEnv(setting, String(port));
    try {
      const error = await portFromEnv(setting).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TestBedError);
      expect((error as TestBedError).describe()).toMatch(
        new RegExp(`port ${port} on 127.0.0.1 is already in use[\\s\\S]*fix: .*${setting}`),
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
