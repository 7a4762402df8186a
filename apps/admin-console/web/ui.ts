/// <reference lib="dom" />
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { html } from './html';

/** The heading of a page takes the focus on navigation, so screen readers announce the new page. */
export function PageHeading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`;
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error);
  return html`<p class="alert" role="alert">${text}</p>`;
}

export function StatusMessage({ text }: { text: string | null }) {
  return html`<p class="status" role="status" aria-live="polite">${text ?? ''}</p>`;
}

/** Copies a value and says so in a live region next to the button. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied');
    } catch {
      setCopied('Copy failed: select the text and copy it');
    }
  };
  return html`<button type="button" class="secondary" aria-label=${`Copy ${label}`} onClick=${copy}>Copy</button
    ><span class="copied" role="status" aria-live="polite">${copied ?? ''}</span>`;
}

/** A read-only value with its copy button, labelled for assistive technology. */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <div class="copy-row">
      <input id=${id} type="text" readonly value=${value} />
      <${CopyButton} value=${value} label=${label} />
    </div>
  </div>`;
}

/** Loads on mount and whenever `deps` change; `reload` fetches again after a change. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const result = await load();
      if (mine === generation.current) {
        setData(result);
        setError(null);
      }
    } catch (caught) {
      if (mine === generation.current) setError(caught);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, deps);
  useEffect(() => void reload(), [reload]);
  return { data, error, loading, reload };
}

export function formatTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function Loading({ loading }: { loading: boolean }) {
  return loading ? html`<p class="muted" aria-busy="true">Loading…</p>` : null;
}
