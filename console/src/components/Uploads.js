// The drop zone + file picker of a folder, and the uploads panel (per file and overall progress,
// bytes, rate, ETA; Pause / Resume / Cancel).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { bytes, duration } from '../format.js';
import { uploads } from '../upload/manager.js';

export function DropZone({ tenant, namespace, prefix }) {
  const [over, setOver] = useState(false);
  const target = { tenant, namespace, prefix };
  const onDrop = (e) => {
    e.preventDefault();
    setOver(false);
    const files = e.dataTransfer && e.dataTransfer.files;
    if (files && files.length) uploads.add(files, target);
  };
  return html`<div class=${'dropzone' + (over ? ' over' : '')} data-testid="drop-zone"
      onDragOver=${(e) => { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'; setOver(true); }}
      onDragLeave=${() => setOver(false)} onDrop=${onDrop}>
    <span>Drop files here to upload them into <strong>${namespace}/${prefix}</strong>, or </span>
    <label class="button" for="file-input">Choose files</label>
    <input id="file-input" class="visually-hidden" type="file" multiple
      onChange=${(e) => { uploads.add(e.currentTarget.files, target); e.currentTarget.value = ''; }} />
  </div>`;
}

function Progress({ label, value }) {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  return html`<div class="progress" role="progressbar" aria-label=${label} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${v}>
    <div class="progress-fill" style=${{ width: `${v}%` }}></div>
  </div>`;
}

function percent(i) {
  if (i.state === 'done') return 100;
  return i.size ? (100 * i.sent) / i.size : 0;
}

function detail(i) {
  switch (i.state) {
    case 'hashing':
      return `Computing SHA-256: ${Math.floor((100 * i.hashed) / (i.size || 1))} % (${bytes(i.hashed)} of ${bytes(i.size)})`;
    case 'uploading':
      return `${bytes(i.sent)} of ${bytes(i.size)}` + (i.rate ? ` · ${bytes(i.rate)}/s · ${duration(i.eta)} left` : '');
    case 'done':
      return `${bytes(i.size)} uploaded`;
    case 'paused':
      return `Paused at ${bytes(i.sent)} of ${bytes(i.size)}`;
    case 'error':
      return `Failed: ${i.error}`;
    case 'cancelled':
      return 'Cancelled';
    default:
      return `Waiting · ${bytes(i.size)}`;
  }
}

export function UploadsPanel() {
  const [, setN] = useState(0);
  const [open, setOpen] = useState(true);
  useEffect(() => uploads.subscribe(() => setN((n) => n + 1)), []);
  const items = uploads.items;
  const counted = items.filter((i) => i.state !== 'cancelled');
  const total = counted.reduce((s, i) => s + i.size, 0);
  const sent = counted.reduce((s, i) => s + (i.state === 'done' ? i.size : i.sent), 0);
  const rate = items.reduce((s, i) => s + (i.state === 'uploading' ? i.rate : 0), 0);
  const overall = total ? (100 * sent) / total : counted.length ? 100 : 0;
  const left = counted.filter((i) => i.state !== 'done').length;
  // The file list folds away once everything is finished (the panel stops covering the page)
  // and opens again when new files arrive.
  useEffect(() => setOpen(left > 0), [left === 0]);
  if (items.length === 0) return null;
  return html`<section class="uploads" aria-label="Uploads">
    <div class="uploads-head">
      <h2>Uploads</h2>
      <span class="muted">${left ? `${left} left` : 'All done'} · ${bytes(sent)} of ${bytes(total)}${rate ? ` · ${bytes(rate)}/s · ${duration((total - sent) / rate)} left` : ''}</span>
      <button type="button" class="ghost" onClick=${() => uploads.clearFinished()}>Clear finished</button>
      <button type="button" class="ghost" aria-expanded=${open ? 'true' : 'false'} aria-controls="upload-list"
        onClick=${() => setOpen(!open)}>${open ? 'Hide files' : 'Show files'}</button>
    </div>
    <${Progress} label="All uploads" value=${overall} />
    <ul class="upload-list" id="upload-list" hidden=${!open}>
      ${items.map((i) => html`<li key=${i.id} class=${'upload-item ' + i.state} data-testid="upload-item" data-name=${i.name} data-state=${i.state}>
        <div class="upload-line">
          <span class="upload-name" title=${i.key}>${i.key}</span>
          <span class="upload-actions">
            ${['queued', 'hashing', 'uploading'].includes(i.state) && html`<button type="button" onClick=${() => uploads.pause(i.id)}>Pause</button>`}
            ${['paused', 'error'].includes(i.state) && html`<button type="button" onClick=${() => uploads.resume(i.id)}>Resume</button>`}
            ${!['done', 'cancelled'].includes(i.state) && html`<button type="button" onClick=${() => uploads.cancel(i.id)}>Cancel</button>`}
          </span>
        </div>
        <${Progress} label=${`Upload ${i.name}`} value=${percent(i)} />
        <div class=${i.state === 'error' ? 'upload-detail error-text' : 'upload-detail muted'}>${detail(i)}</div>
      </li>`)}
    </ul>
  </section>`;
}
