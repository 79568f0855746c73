import net from 'node:net';
import { TestBedError } from './errors.ts';

const LOOPBACK = '127.0.0.1';

/** Asks the kernel for a free loopback port. Another process could take it before we bind; the caller's
 * readiness check then fails with that process's log, which names the clash. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Fails with a clear message when a port the user chose is taken. */
export async function assertPortFree(port: number, setting: string): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, resolve);
    });
  } catch (cause) {
    throw new TestBedError(`port ${port} on ${LOOPBACK} is already in use`, {
      fix: `stop whatever listens there (ss -ltnp 'sport = :${port}'), or choose another port with ${setting}`,
      cause,
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The port from an environment setting when given, otherwise a free one. */
export async function portFromEnv(setting: string): Promise<number> {
  const raw = process.env[setting];
  if (raw === undefined || raw === '') return freePort();
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TestBedError(`${setting} must be a port number from 1 to 65535 (got ${JSON.stringify(raw)})`, {
      fix: `unset ${setting} to pick a free port, or set it to a valid port`,
    });
  }
  await assertPortFree(port, setting);
  return port;
}
