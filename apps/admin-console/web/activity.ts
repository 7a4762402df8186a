/// <reference lib="dom" />

/**
 * When the admin last did something in the console (a key, a click, a scroll or a touch). An SSO
 * session ends after its idle timeout unless an access token is issued for it, so the console asks
 * for one only for an admin who is there: an open tab on an unattended desk lets the session end.
 */
let lastActivity = Date.now();
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
for (const type of ACTIVITY_EVENTS) addEventListener(type, () => (lastActivity = Date.now()), { capture: true, passive: true });

export function activeSince(time: number): boolean {
  return lastActivity > time;
}

/** Calls `then` once, at the admin's next activity; the returned function cancels that. */
export function atNextActivity(then: () => void): () => void {
  const once = () => {
    cancel();
    then();
  };
  const cancel = () => {
    for (const type of ACTIVITY_EVENTS) removeEventListener(type, once, { capture: true });
  };
  for (const type of ACTIVITY_EVENTS) addEventListener(type, once, { capture: true, passive: true });
  return cancel;
}
