import net from 'node:net';
import { TestBedError } from './errors.ts';

const LOOPBACK = '127.0.0.1';

/**
 * Linux hands out outgoing connections' local ports from 32768–60999; a listening port picked there can be taken
 * by some process's outgoing connection before our server binds it. Ports below that range are safe from that.
 */
const SAFE_RANGE = { from: 20000, to: 32000 };

async function canBind(port: number): Promise<boolean> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A free loopback port outside the ephemeral range, chosen at random so parallel runs rarely meet. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = SAFE_RANGE.from + Math.floor(Math.random() * (SAFE_RANGE.to - SAFE_RANGE.from));
    if (await canBind(port)) return port;
  }
  throw new TestBedError(`no free port between ${SAFE_RANGE.from} and ${SAFE_RANGE.to} on ${LOOPBACK}`, {
    fix: 'stop leftover test processes (make cluster-down), then retry',
  });
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
