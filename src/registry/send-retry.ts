import type { Logger } from '../log.js';
import { errorCodeOf } from './network-error.js';
import { redactUrl } from './redact.js';
import { RETRYABLE_STATUSES } from './registry-error.js';
import {
  backoffDelay,
  isRetryableNetworkError,
  type RetryPolicy,
  retryAfterDelay,
  wait,
} from './retry.js';
import { discard, type Transport, type TransportRequest } from './transport.js';

/**
 * Sends a request again after a retryable failure: a rate limit, an
 * overloaded or failing gateway, a reset or timed-out connection. Only a
 * request whose body can be sent again (bytes, or none) is retried.
 */

/**
 * A registry that accepted a request and stayed silent for a whole headers
 * timeout is stuck, not flaky: one more try rides out a lost packet or a
 * restarted backend, while the full retry count would multiply the stall.
 */
export const MAX_HEADERS_TIMEOUT_RETRIES = 1;

export interface SendRetryOptions {
  policy: RetryPolicy;
  replayable: boolean;
  logger: Logger;
  redact: (text: string) => string;
  /** For tests: the source of jitter. */
  random?: () => number;
}

export async function sendWithRetries(
  transport: Pick<Transport, 'send'>,
  request: TransportRequest,
  options: SendRetryOptions,
) {
  const { policy, replayable, logger, redact } = options;
  // Named only in retry lines, which are rare: not built for every request.
  const target = () => `${request.method} ${redactUrl(request.url.toString())}`;
  let stalls = 0;
  for (let attempt = 0; ; attempt++) {
    const last = !replayable || attempt + 1 >= policy.attempts;
    let response: Awaited<ReturnType<Transport['send']>>;
    try {
      response = await transport.send(request);
    } catch (error) {
      if (last || !isRetryableNetworkError(error)) throw error;
      if (errorCodeOf(error) === 'UND_ERR_HEADERS_TIMEOUT') {
        if (stalls >= MAX_HEADERS_TIMEOUT_RETRIES) throw error;
        stalls++;
      }
      const delay = backoffDelay(attempt, policy, options.random);
      const why = error instanceof Error ? error.message : String(error);
      logger.debug(redact(`retry ${attempt + 1} of ${target()} in ${delay} ms: ${why}`));
      await wait(delay);
      continue;
    }
    if (last || !RETRYABLE_STATUSES.has(response.status)) return response;
    const delay =
      retryAfterDelay(response.headers['retry-after'], policy) ??
      backoffDelay(attempt, policy, options.random);
    logger.debug(
      redact(
        `retry ${attempt + 1} of ${target()} in ${delay} ms: status ${response.status}`,
      ),
    );
    await discard(response.body);
    await wait(delay);
  }
}
