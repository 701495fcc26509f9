// The userspace backend's delayer: `emunet-nfdelay` takes the packets an NFQUEUE rule hands it,
// holds each for its delay (or drops it), and gives it back. One process per queue, configured
// by a file of `key=value` lines, re-read on SIGHUP. Pure: bundled into the agent, which writes the file.
import type { LinkImpairment } from './spec.js';

export const DELAYER_BINARY = 'emunet-nfdelay';

export const delayerConfigPath = (queue: number) => `/run/emunet/nfdelay-q${queue}.conf`;

export const delayerArgv = (queue: number) => [DELAYER_BINARY, '--queue', String(queue), '--config', delayerConfigPath(queue)];

/** netem's default queue length, so that both backends drop at the same point. */
export const DEFAULT_LIMIT_PACKETS = 1000;

/**
 * The delayer's configuration file. Every key is written, defaults included, so a rewritten file
 * never inherits a value from the previous one. Times in microseconds, percentages 0..100.
 */
export function delayerConfig(impairment: LinkImpairment, seed: number): string {
  const values: [string, string | number][] = [
    ['delay_us', impairment.delayUs ?? 0],
    ['jitter_us', impairment.jitterUs ?? 0],
    ['distribution', impairment.distribution ?? 'normal'],
    ['delay_correlation', impairment.delayCorrelationPct ?? 0],
    ['loss', impairment.lossPct ?? 0],
    ['loss_correlation', impairment.lossCorrelationPct ?? 0],
    ['reorder', impairment.reorderPct ?? 0],
    ['limit', impairment.limitPackets ?? DEFAULT_LIMIT_PACKETS],
    ['seed', seed],
  ];
  return values.map(([key, value]) => `${key}=${value}\n`).join('');
}
