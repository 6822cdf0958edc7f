// Small shared pieces: an error alert, a loading line, a confirmation dialog, a copy button.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';

/** An error (ApiError or Error or string) as text in a role="alert" element; nothing when null. */
export function Alert({ error }) {
  if (!error) return null;
  const text = typeof error === 'string' ? error : error.message || String(error);
  return html`<p class="alert" role="alert">${text}</p>`;
}

export function Loading({ what }) {
  return html`<p class="muted" aria-live="polite">Loading ${what || ''}…</p>`;
}

/**
 * A modal <dialog> (role dialog) asking to confirm. title/body are text; onConfirm may be async
 * (its error is shown inside the dialog). confirmLabel names the dangerous button.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel }) {
  const ref = useRef(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d && d.open && d.close();
  }, []);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`<dialog ref=${ref} class="dialog" aria-labelledby="dialog-title" onCancel=${(e) => { e.preventDefault(); onCancel(); }}>
    <h2 id="dialog-title">${title}</h2>
    <div class="dialog-body">${children}</div>
    <${Alert} error=${error} />
    <div class="dialog-actions">
      <button type="button" class="danger" disabled=${busy} onClick=${confirm}>${confirmLabel}</button>
      <button type="button" onClick=${onCancel} disabled=${busy}>Cancel</button>
    </div>
  </dialog>`;
}

/** A "Copy" button that copies text to the clipboard and says so. */
export function CopyButton({ text, label = 'Copy' }) {
  const [done, setDone] = useState(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('Copied');
    } catch {
      setDone('Select the text and copy it');
    }
    setTimeout(() => setDone(null), 2500);
  };
  return html`<span class="copy"><button type="button" onClick=${copy}>${label}</button>
    <span class="muted" aria-live="polite">${done || ''}</span></span>`;
}
