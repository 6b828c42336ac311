// Admission control: when the origin is overloaded, site routes (/api/sites/me/*: manifests, heartbeats,
// attendance, requests; tens of thousands of agents that retry anyway) are answered 503 with Retry-After at
// once, before any parsing or database work, so the operators' console and everything else keep working.
// @fastify/under-pressure measures (event-loop delay and utilisation, heap); pressure must last several samples
// in a row before sites are turned away: one long synchronous job (a report, a big import) is not an overload.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';

export const SITE_ROUTE_PREFIX = '/api/sites/me/';

/** Counts pressured samples in a row. Pure: the sampler feeds it. */
export class SustainedPressure {
  private inRow = 0;
  constructor(private readonly samplesNeeded: number) {}

  sample(pressured: boolean): void {
    this.inRow = pressured ? this.inRow + 1 : 0;
  }

  get sustained(): boolean {
    return this.inRow >= this.samplesNeeded;
  }
}

/** Seconds a turned-away site is told to wait: between base and twice base, so a fleet does not come back in step. */
export const retryAfterSeconds = (base: number, random: number): number => base + Math.floor(random * (base + 1));

const isSiteRoute = (url: string) => url.startsWith(SITE_ROUTE_PREFIX);

export function admissionEnabled(c: Config): boolean {
  return c.overloadMaxEventLoopDelayMs > 0 || c.overloadMaxEventLoopUtilization > 0 || c.overloadMaxHeapBytes > 0;
}

/** Registers under-pressure on the root instance (its hook is global) when any threshold is set. */
export async function installAdmissionControl(app: FastifyInstance, config: Config): Promise<void> {
  if (!admissionEnabled(config)) return;
  const pressure = new SustainedPressure(config.overloadSustainedSamples);
  await app.register(underPressure, {
    sampleInterval: config.overloadSampleMs,
    maxEventLoopDelay: config.overloadMaxEventLoopDelayMs,
    maxEventLoopUtilization: config.overloadMaxEventLoopUtilization,
    eventLoopUtilizationMode: 'interval',
    maxHeapUsedBytes: config.overloadMaxHeapBytes,
    // Called for every request while a threshold is passed: returning nothing lets the request through; a
    // rejected promise goes to the error handler (our error body).
    pressureHandler: (req: FastifyRequest) => {
      if (!isSiteRoute(req.url) || !pressure.sustained) return undefined;
      const wait = retryAfterSeconds(config.overloadRetryAfterSeconds, Math.random());
      req.log.info({ url: req.url, usage: app.memoryUsage() }, 'site request turned away: server overloaded');
      return Promise.reject(
        new AppError(503, 'overloaded', `The server is overloaded: try again in ${wait} s.`, { 'retry-after': String(wait) }),
      );
    },
  });
  // The plugin's own sampler keeps the figures; this one turns them into "pressure for N samples in a row".
  const timer = setInterval(() => pressure.sample(app.isUnderPressure()), config.overloadSampleMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
