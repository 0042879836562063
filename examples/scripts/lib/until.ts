/// <reference path="../switchboard.d.ts" />
// until lets event handlers run (sleep does) until done() is true, or
// throws after ms. A promise that only an event settles would not keep the
// script alive.
export function until(what: string, done: () => boolean, ms = 10000): void {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    sleep(10);
  }
}
