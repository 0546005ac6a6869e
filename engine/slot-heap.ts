// A binary heap of (time, slot) pairs ordered by (time, seq), the seq read from the owner's slot
// table: the calendar queue's far-future tier and its side heap (engine/calendar-queue.ts).

export class SlotHeap {
  times = new Float64Array(16);
  slots = new Int32Array(16);
  count = 0;

  /** Adds a slot; returns whether it is now the top. */
  push(slot: number, time: number, seqs: Float64Array): boolean {
    if (this.count === this.times.length) {
      const times = new Float64Array(2 * this.count);
      const slots = new Int32Array(2 * this.count);
      times.set(this.times);
      slots.set(this.slots);
      this.times = times;
      this.slots = slots;
    }
    const times = this.times;
    const slots = this.slots;
    const seq = seqs[slot];
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && seqs[slots[parent]] < seq)) break;
      times[i] = pt;
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
    return i === 0;
  }

  /** Removes the top (the caller reads it from times[0] and slots[0] first). */
  pop(seqs: Float64Array): void {
    const times = this.times;
    const slots = this.slots;
    const n = --this.count;
    if (n === 0) return;
    const time = times[n];
    const slot = slots[n];
    const seq = seqs[slot];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n) {
        const lt = times[child];
        const rt = times[right];
        if (rt < lt || (rt === lt && seqs[slots[right]] < seqs[slots[child]])) child = right;
      }
      const ct = times[child];
      if (time < ct || (time === ct && seq < seqs[slots[child]])) break;
      times[i] = ct;
      slots[i] = slots[child];
      i = child;
    }
    times[i] = time;
    slots[i] = slot;
  }
}
