/**
 * The driftwatch CLI with `process` registered, for the tests, until
 * cli/commands/index.ts imports it: every command of the index plus
 * `process`, with the exit codes of cli/driftwatch.ts (1 failed, 2 bad usage).
 *
 * DRIFTWATCH_TEST_INFERENCE_THREADS=n makes every onnxruntime session use n
 * intra-op threads. With several threads, onnxruntime's tree ensembles sum
 * the trees in an order that depends on the batch size (batches of ≤ ~128
 * rows are split over trees, larger ones over rows), so a row's prediction
 * depends on how many rows came with it — and Kafka batch sizes depend on
 * fetch timing. One thread makes predictions batch-independent. This shim
 * goes once processor/model/onnx-runner.ts defaults to one thread.
 */
import { Command } from 'commander';
import { InferenceSession } from 'onnxruntime-node';
import { commands } from '../../../cli/commands/index.js';
import { register as processCommand } from '../../../cli/commands/process.js';
import { UsageError } from '../../../cli/errors.js';

const threads = Number(process.env.DRIFTWATCH_TEST_INFERENCE_THREADS);
if (Number.isInteger(threads) && threads > 0) {
  const create = InferenceSession.create.bind(InferenceSession) as (...args: unknown[]) => Promise<InferenceSession>;
  (InferenceSession as unknown as { create: unknown }).create = (model: unknown, options?: InferenceSession.SessionOptions) =>
    create(model, { ...options, intraOpNumThreads: threads });
}

const program = new Command('driftwatch');
for (const register of commands) register(program);
if (!program.commands.some((c) => c.name() === 'process')) processCommand(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`driftwatch: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
