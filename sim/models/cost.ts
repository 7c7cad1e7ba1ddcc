/**
 * Cost: what a pay-per-use platform would bill for a run.
 *
 * - Compute: memory x time of every container from the moment it is handed to a call (warm, or
 *   ready after its cold start) to its release, so a container DataFlower holds after its
 *   function ends (pressure-aware release) is billed to the request that held it. Memory is the
 *   container's (`container`), or DataFlower's rule of 1.25 GB per core of its CPU quota
 *   (`dataflower-cpu`, reference 2.A: its test scripts compute GB-s as time x cpu x 1.25 GB).
 *   [ASSUMPTION: cold-start time is not billed, as AWS Lambda billed on-demand functions until
 *   2025; `billColdStart` would change that and is left out.]
 * - Requests: a price per invocation (one container call).
 * - Data: a price per GB carried between nodes (every network transfer; local stores are free).
 *
 * Prices come from a price table (configs/prices/*.yaml, `--prices`), defaulting to
 * AWS_LAMBDA_PRICES below, whose sources are written next to them. GB = 1e9 bytes for data and
 * GiB-based GB-s for memory, as AWS bills (memory in MB of 2^20 bytes, 1024 MB = 1 GB).
 */
import type { RequestCtx } from '../modes/mode.js';
import type { CostResult } from '../scenario.js';

export interface PriceTable {
  name: string;
  /** USD per GB-second of memory. */
  perGBSecond: number;
  /** USD per invocation. */
  perInvocation: number;
  /** USD per GB moved between nodes. */
  perGBTransferred: number;
  /** How container memory is billed. */
  memory: 'container' | 'dataflower-cpu';
  source: string;
}

/**
 * AWS Lambda, x86, us-east-1 (https://aws.amazon.com/lambda/pricing/, first pricing tier):
 * $0.0000166667 per GB-s and $0.20 per 1M requests; data between nodes at the EC2 in-region
 * cross-AZ rate of $0.01 per GB (https://aws.amazon.com/ec2/pricing/on-demand/, "Data Transfer
 * within the same AWS Region") [ASSUMPTION: nodes in different zones; within one zone it is free].
 */
export const AWS_LAMBDA_PRICES: PriceTable = {
  name: 'aws-lambda',
  perGBSecond: 0.0000166667,
  perInvocation: 2e-7,
  perGBTransferred: 0.01,
  memory: 'container',
  source: 'https://aws.amazon.com/lambda/pricing/ (x86, us-east-1, first tier); EC2 in-region cross-AZ transfer $0.01/GB',
};

const GIB = 2 ** 30;
/** DataFlower's 1.25 GB per core (reference 2.A), in bytes as AWS counts GB of memory. */
const DF_BYTES_PER_CORE = 1.25 * GIB;

export interface CostTotals {
  gbSeconds: number;
  invocations: number;
}

export class CostMeter {
  private readonly perRequest = new Map<number, CostTotals>();
  readonly total: CostTotals = { gbSeconds: 0, invocations: 0 };

  constructor(readonly prices: PriceTable) {}

  /** One container call of `seconds` from hand-over to release. */
  container(req: RequestCtx, memoryBytes: number, cpu: number, seconds: number): void {
    const bytes = this.prices.memory === 'dataflower-cpu' ? cpu * DF_BYTES_PER_CORE : memoryBytes;
    const gbs = (bytes / GIB) * Math.max(0, seconds);
    this.total.gbSeconds += gbs;
    this.total.invocations++;
    // a cancelled request's bill was already taken: what its last calls use is in the total only
    if (req.cancelled) return;
    let r = this.perRequest.get(req.id);
    if (!r) {
      r = { gbSeconds: 0, invocations: 0 };
      this.perRequest.set(req.id, r);
    }
    r.gbSeconds += gbs;
    r.invocations++;
  }

  /** What request `id` used (and forgets it). */
  take(id: number): CostTotals {
    const r = this.perRequest.get(id) ?? { gbSeconds: 0, invocations: 0 };
    this.perRequest.delete(id);
    return r;
  }

  /** USD of a use, by part. */
  parts(t: CostTotals, transferredBytes = 0): { compute: number; invocations: number; transfer: number; total: number } {
    const compute = t.gbSeconds * this.prices.perGBSecond;
    const invocations = t.invocations * this.prices.perInvocation;
    const transfer = (transferredBytes / 1e9) * this.prices.perGBTransferred;
    return { compute, invocations, transfer, total: compute + invocations + transfer };
  }

  /** USD of a use. */
  usd(t: CostTotals, transferredBytes = 0): number {
    return this.parts(t, transferredBytes).total;
  }

  /** The whole run's bill, with the bytes it carried between nodes. */
  result(transferredBytes: number): CostResult {
    return { prices: this.prices.name, gbSeconds: this.total.gbSeconds, invocations: this.total.invocations, transferredGB: transferredBytes / 1e9, usd: this.parts(this.total, transferredBytes) };
  }
}
