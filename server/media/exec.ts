// Runs a media tool as a child process, collecting output, with an optional abort signal.
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Keeps at most the last `max` characters: ffmpeg's useful error is at the end of stderr. */
export function tail(text: string, max = 64 * 1024): string {
  return text.length > max ? text.slice(text.length - max) : text;
}

export function runTool(
  bin: string,
  args: string[],
  opts: { signal?: AbortSignal; onStdout?: (chunk: string) => void; maxStdout?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(abortError());
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    const maxStdout = opts.maxStdout ?? 16 * 1024 * 1024;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (opts.onStdout) opts.onStdout(d);
      else if (stdout.length < maxStdout) stdout += d;
    });
    child.stderr.on('data', (d: string) => {
      stderr = tail(stderr + d);
    });
    const onAbort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(abortError());
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function abortError(): Error {
  const err = new Error('The operation was cancelled');
  err.name = 'AbortError';
  return err;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** The last meaningful line ffmpeg printed, for a failure message a person can read. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(Press \[q\]|frame=|size=|video:|\[out#)/.test(l));
  return lines.at(-1) ?? 'no error output';
}
