// Admission control: at most `limit` turns in flight in this process. Past it a new turn is
// either refused at once (web, Slack: "busy, please retry") or queued (WeChat: acknowledged at
// once, answered later through the customer-service API), so overload makes answers late,
// not lost, and keeps the event loop free for the requests it can serve.

export type Release = () => void;

export class Admission {
  private running = 0;
  private readonly waiting: ((release: Release) => void)[] = [];

  constructor(
    readonly limit: number,
    /** Queued turns beyond which even a queueing caller is refused. */
    readonly maxQueued: number,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Whether a turn arriving now would have to wait. */
  busy(): boolean {
    return this.running >= this.limit || this.waiting.length > 0;
  }

  /** What a turn arriving now would meet. */
  load(): 'free' | 'busy' | 'full' {
    if (!this.busy()) return 'free';
    return this.waiting.length >= this.maxQueued ? 'full' : 'busy';
  }

  /** A slot now, or null when every slot is taken (or others already wait). */
  tryAcquire(): Release | null {
    if (this.busy()) return null;
    this.running++;
    return this.releaser();
  }

  /** A slot as soon as one frees, in arrival order; null when the queue is full too. */
  acquire(): Promise<Release> | null {
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (this.waiting.length >= this.maxQueued) return null;
    return new Promise<Release>((resolve) => this.waiting.push(resolve));
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; the count stays the same.
      if (next) next(this.releaser());
      else this.running--;
    };
  }
}
