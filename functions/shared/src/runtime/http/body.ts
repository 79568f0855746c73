/**
 * Reading a request body whole, within a size limit: a declared length over the limit is refused before a byte
 * is read, and a body that grows past it (chunked, or lying about its length) is refused as soon as it does.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './exchange.ts';

export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(declared, limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        // What is still on its way is read and dropped; the answer closes the connection.
        request.resume();
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(new HttpError(400, `the request body could not be read: ${error.message}`, { cause: error }));
    };
    const onClose = () => {
      onError(new Error('the connection closed before the body ended'));
    };
    const stop = () => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

export function tooLarge(size: number, limit: number): HttpError {
  return new HttpError(413, `the body is larger than ${limit} bytes (at least ${size})`);
}
