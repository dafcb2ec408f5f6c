/**
 * Failed logins per client address in a sliding window: past `maxFailures` within
 * `windowMs`, the address is refused until its oldest failure leaves the window.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(address: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(address) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(address);
    else this.failures.set(address, list);
    return list;
  }

  /** Seconds until this address may try again, or 0 if it may try now. */
  retryAfterSeconds(address: string): number {
    const list = this.recent(address);
    if (list.length < this.maxFailures) return 0;
    const freeAt = list[list.length - this.maxFailures] + this.windowMs;
    return Math.max(1, Math.ceil((freeAt - this.now()) / 1000));
  }

  recordFailure(address: string): void {
    const list = this.recent(address);
    list.push(this.now());
    this.failures.set(address, list.slice(-this.maxFailures));
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value as string);
  }
}
