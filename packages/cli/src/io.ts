/** What a command reads and writes, so that tests run commands in-process. */
export interface Io {
  /** One line to standard output. */
  out: (line: string) => void;
  /** One line to standard error. */
  err: (line: string) => void;
  /** All of standard input, as text. */
  readStdin: () => Promise<string>;
}

export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
