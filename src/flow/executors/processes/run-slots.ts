/** A run's CPU slots on the pool: `size` (its maxWorkers); an attempt takes `cpu` of them (at most all), first come first served. */
export class RunSlots {
  private free: number;
  private readonly waiting: Array<{ slots: number; wake: () => void }> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Whether taking `cpu` slots now would wait. */
  wouldWait(cpu: number): boolean {
    return this.waiting.length > 0 || this.free < Math.max(1, Math.min(cpu, this.size));
  }

  /** Waits until `cpu` slots (clamped to 1..size) are free, takes them and returns how many it took. */
  async take(cpu: number): Promise<number> {
    const slots = Math.max(1, Math.min(cpu, this.size));
    if (this.waiting.length === 0 && this.free >= slots) this.free -= slots;
    else await new Promise<void>((wake) => this.waiting.push({ slots, wake }));
    return slots;
  }

  /** Gives slots back and starts waiting attempts in order while their slots are free. */
  give(slots: number): void {
    this.free += slots;
    while (this.waiting.length > 0 && this.free >= this.waiting[0]!.slots) {
      const next = this.waiting.shift()!;
      this.free -= next.slots;
      next.wake();
    }
  }
}
