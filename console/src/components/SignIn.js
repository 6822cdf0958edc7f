// The sign-in form: an API key or JWT, checked against the server before it is kept.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { credential } from '../api.js';
import { loadIdentity } from '../identity.js';
import { Alert } from './common.js';

export function SignIn({ onSignedIn, notice }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    const token = value.trim();
    if (!token) {
      setError('Enter an API key or a JWT.');
      return;
    }
    setBusy(true);
    setError(null);
    credential.set(token);
    try {
      const identity = await loadIdentity();
      setValue('');
      onSignedIn(identity);
    } catch (err) {
      credential.clear();
      setError(err.status === 401 ? `Sign-in refused: ${err.message}` : err.message);
      setBusy(false);
    }
  };

  return html`<main class="signin">
    <h1>castor console</h1>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <form aria-label="Sign in" onSubmit=${submit}>
      <label for="credential">API key or JWT</label>
      <input id="credential" type="password" autocomplete="off" spellcheck="false"
        value=${value} onInput=${(e) => setValue(e.currentTarget.value)} />
      <p class="muted">Kept in this tab's session storage only, sent as a bearer header.</p>
      <button type="submit" class="primary" disabled=${busy}>Sign in</button>
    </form>
    <${Alert} error=${error} />
  </main>`;
}
