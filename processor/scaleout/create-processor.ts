/**
 * `driftwatch process` builds one of two services from the same options:
 * the single-instance processor, or (--scale-out) one instance of a group
 * whose members merge their window shares into the one answer.
 */
import { ProcessorService, type ProcessorServiceOptions } from '../service/processor-service.js';
import { partialsTopicOf } from './partial-messages.js';
import { ScaleOutService } from './scaleout-service.js';

export function createProcessor(scaleOut: boolean, topicPrefix: string, options: ProcessorServiceOptions): ProcessorService | ScaleOutService {
  return scaleOut ? new ScaleOutService({ ...options, partialsTopic: partialsTopicOf(topicPrefix) }) : new ProcessorService(options);
}
