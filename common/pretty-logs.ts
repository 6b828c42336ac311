// Log output for the server and the agent: readable lines (pino-pretty) when a person watches a terminal, JSON
// lines otherwise (journald, files, pipes, log shippers). A site package leaves pino-pretty out; then JSON it is.
import { createRequire } from 'node:module';

export interface PinoTransport {
  target: string;
  options: Record<string, unknown>;
}

/** The pino transport for `stream`: pino-pretty on a TTY when it is installed, else none (JSON). */
export function prettyTransport(stream: { isTTY?: boolean } = process.stdout): PinoTransport | undefined {
  if (!stream.isTTY) return undefined;
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return undefined;
  }
  return { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: false } };
}
