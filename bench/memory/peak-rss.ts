/**
 * Peak resident memory of this process, three ways: process.memoryUsage().rss
 * sampled every 50 ms (a timer only runs between synchronous steps, so the
 * bench also samples after each step), and the kernel's own high-water mark
 * VmHWM from /proc/self/status, which sees every peak.
 */
import { readFileSync } from 'node:fs';

export const MB = 1024 * 1024;

/** VmHWM (peak RSS, bytes) from /proc/self/status; NaN where there is no procfs. */
export function vmHighWaterMark(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface StepMemory {
  readonly step: string;
  readonly rss: number;
  readonly heapUsed: number;
  /** V8 heap committed: used + garbage not yet collected + free pages. */
  readonly heapTotal: number;
  readonly arrayBuffers: number;
}

export class PeakRss {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;
  readonly steps: StepMemory[] = [];

  constructor(intervalMs = 50) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  /** Samples now and records the step's memory. */
  mark(step: string): StepMemory {
    const usage = process.memoryUsage();
    if (usage.rss > this.peak) this.peak = usage.rss;
    const entry = { step, rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, arrayBuffers: usage.arrayBuffers };
    this.steps.push(entry);
    return entry;
  }

  get sampledPeak(): number {
    return this.peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
