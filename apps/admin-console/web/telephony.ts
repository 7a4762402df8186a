/// <reference lib="dom" />
import { useEffect, useState } from 'preact/hooks';
import type { TenantApi } from './api';
import { html } from './html';
import { ErrorMessage, StatusMessage, useLoad } from './ui';

interface TelephonyOverview {
  settings: {
    extensionPlan: { length: number; rangeStart: number; rangeEnd: number } | null;
    autoAssignExtension: boolean;
    autoAssignNumber: boolean;
    quarantineDays: number;
  };
  pool: { total: number; assigned: number; quarantined: number; available: number };
}

interface TelephonyProfile {
  extension: string | null;
  number: string | null;
}

/** Runs one admin action with its outcome shown under the form, then reloads what it changed. */
function useAction(reload: () => Promise<unknown>) {
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const run = async (done: (result: unknown) => string, action: () => Promise<unknown>) => {
    setError(null);
    setStatus(null);
    try {
      setStatus(done(await action()));
      await reload();
    } catch (caught) {
      setError(caught);
    }
  };
  return { error, status, run };
}

/** The company's extension plan, automatic assignment and number quarantine, with the number pool's state. */
export function TelephonySettings({ api }: { api: TenantApi }) {
  const overview = useLoad(() => api.get<TelephonyOverview>('/telephony'), [api]);
  const { error, status, run } = useAction(() => overview.reload());
  const data = overview.data;
  const save = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const whole = (name: string) => Number(String(form.get(name) ?? ''));
    const digits = String(form.get('length') ?? '').trim();
    const rangeMissing = digits !== '' && (String(form.get('rangeStart') ?? '').trim() === '' || String(form.get('rangeEnd') ?? '').trim() === '');
    return run(
      () => 'Telephony settings saved.',
      async () => {
        if (rangeMissing) throw new Error('An extension plan needs its range: fill in From and To (or leave Digits empty for no plan).');
        return api.send('PUT', '/telephony/settings', {
          json: {
            extensionPlan: digits === '' ? null : { length: whole('length'), rangeStart: whole('rangeStart'), rangeEnd: whole('rangeEnd') },
            autoAssignExtension: form.get('autoAssignExtension') === 'on',
            autoAssignNumber: form.get('autoAssignNumber') === 'on',
            quarantineDays: whole('quarantineDays'),
          },
        });
      },
    );
  };
  const plan = data?.settings.extensionPlan;
  return html`<section class="panel" aria-labelledby="telephony-heading">
    <h2 id="telephony-heading">Extensions and direct numbers</h2>
    <${ErrorMessage} error=${overview.error} />
    ${data &&
    html`<p>
        Direct numbers: ${data.pool.total} in the pool, ${data.pool.assigned} assigned, ${data.pool.quarantined} in quarantine, ${data.pool.available} free.
        ${data.pool.total === 0 ? ' Platform operators import the company’s numbers.' : ''}
      </p>
      <form onSubmit=${save} key=${JSON.stringify(data.settings)}>
        <fieldset class="plain">
          <legend>Extension plan (leave the digits empty for none)</legend>
          <div class="inline">
            <div class="field"><label for="plan-length">Digits</label><input id="plan-length" name="length" type="number" min="2" max="8" defaultValue=${plan?.length ?? ''} /></div>
            <div class="field"><label for="plan-from">From</label><input id="plan-from" name="rangeStart" type="number" min="0" defaultValue=${plan?.rangeStart ?? ''} /></div>
            <div class="field"><label for="plan-to">To</label><input id="plan-to" name="rangeEnd" type="number" min="0" defaultValue=${plan?.rangeEnd ?? ''} /></div>
          </div>
        </fieldset>
        <div class="field checkbox">
          <input id="auto-extension" name="autoAssignExtension" type="checkbox" defaultChecked=${data.settings.autoAssignExtension} />
          <label for="auto-extension">Give the next free extension with every license</label>
        </div>
        <div class="field checkbox">
          <input id="auto-number" name="autoAssignNumber" type="checkbox" defaultChecked=${data.settings.autoAssignNumber} />
          <label for="auto-number">Give the next free direct number with every license</label>
        </div>
        <div class="field">
          <label for="quarantine-days">Days a deleted user’s number waits before reuse</label>
          <input id="quarantine-days" name="quarantineDays" type="number" min="0" required defaultValue=${data.settings.quarantineDays} />
        </div>
        <button type="submit">Save telephony settings</button>
      </form>`}
    <${ErrorMessage} error=${error} />
    <${StatusMessage} text=${status} />
  </section>`;
}

/** One user's extension and direct number: a given value or the next free one, and release. Licensed users only. */
export function UserTelephony({ api, userId, licensed }: { api: TenantApi; userId: string; licensed: boolean }) {
  const load = () => api.get<TelephonyProfile>(`/telephony/users/${encodeURIComponent(userId)}`);
  const profile = useLoad(load, [api, userId, licensed]);
  const { error, status, run } = useAction(() => profile.reload());
  // A license brings the company's automatic extension and number a moment after it is assigned.
  useEffect(() => {
    if (!licensed) return;
    const timers = [1500, 4000].map((delay) => setTimeout(() => void profile.reload(), delay));
    return () => timers.forEach(clearTimeout);
  }, [licensed, profile.reload]);
  const data = profile.data;
  const assign = (what: 'extension' | 'number', label: string) => (event: Event) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget as HTMLFormElement).get(what) ?? '').trim();
    return run(
      (result) => `${label} ${(result as Record<string, string>)[what]} assigned.`,
      async () => {
        if (value === '') {
          // "The next free one" is for a user who has none: one given meanwhile (automatically) stays.
          const now = await load();
          const held = what === 'extension' ? now.extension : now.number;
          if (held !== null) throw new Error(`${label} ${held} is already assigned (the company gives one with each license): enter a value to change it.`);
        }
        return api.send('PUT', `/telephony/users/${userId}/${what}`, { json: value === '' ? {} : { [what]: value } });
      },
    );
  };
  const release = (what: 'extension' | 'number', label: string, held: string) => {
    if (!window.confirm(`Release ${label.toLowerCase()} ${held}? It goes back to the company for someone else.`)) return;
    return run(() => `${label} released.`, () => api.send('DELETE', `/telephony/users/${userId}/${what}`));
  };
  const row = (what: 'extension' | 'number', label: string, held: string | null, placeholder: string) =>
    html`<form class="inline" onSubmit=${assign(what, label)}>
      <div class="field">
        <label for=${`user-${what}`}>${label}</label>
        <input id=${`user-${what}`} name=${what} type="text" maxlength="32" placeholder=${placeholder} disabled=${!licensed} />
      </div>
      <button type="submit" disabled=${!licensed}>${held ? `Change ${label.toLowerCase()}` : `Assign ${label.toLowerCase()}`}</button>
      ${held && html`<button type="button" class="secondary" onClick=${() => release(what, label, held)}>Release ${label.toLowerCase()}</button>`}
    </form>`;
  return html`<section class="panel" aria-labelledby="telephony-user-heading">
    <h2 id="telephony-user-heading">Extension and direct number</h2>
    <${ErrorMessage} error=${profile.error} />
    ${data &&
    html`<dl class="facts">
        <dt>Extension</dt><dd>${data.extension ?? 'None'}</dd>
        <dt>Direct number</dt><dd>${data.number ?? 'None'}</dd>
      </dl>
      ${licensed ? html`<p class="muted">Leave a field empty for the next free one.</p>` : html`<p class="muted">Only users with a license get an extension and a direct number: assign a license first.</p>`}
      ${row('extension', 'Extension', data.extension, 'next free')} ${row('number', 'Direct number', data.number, 'next free, or +E.164')}`}
    <${ErrorMessage} error=${error} />
    <${StatusMessage} text=${status} />
  </section>`;
}
