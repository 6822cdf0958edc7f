// The application: sign-in or the signed-in shell (banner, main navigation, the routed page,
// the uploads panel).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { credential, onUnauthorized } from '../api.js';
import { capabilities, loadIdentity } from '../identity.js';
import { links, useRoute } from '../router.js';
import { currentTheme, nextTheme } from '../theme.js';
import { uploads } from '../upload/manager.js';
import { SignIn } from './SignIn.js';
import { Alert, Loading } from './common.js';
import { Home, Namespaces } from './Browse.js';
import { ObjectBrowser } from './ObjectBrowser.js';
import { ObjectPage } from './ObjectPage.js';
import { UploadsPanel } from './Uploads.js';
import { Usage } from './Usage.js';
import { Keys } from './Keys.js';
import { Bundles } from './Bundles.js';

function ThemeToggle() {
  const [theme, setTheme] = useState(currentTheme());
  return html`<button type="button" class="ghost" onClick=${() => setTheme(nextTheme())}
    title="Switch between automatic, light and dark">Theme: ${theme}</button>`;
}

export function App() {
  const [identity, setIdentity] = useState(null);
  const [state, setState] = useState(() => (credential.get() ? 'loading' : 'signedout'));
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);

  const signOut = (why) => {
    uploads.cancelAll();
    credential.clear();
    setIdentity(null);
    setNotice(why || null);
    setState('signedout');
    if (location.hash !== '#/' && location.hash !== '') history.replaceState(null, '', '#/');
  };

  useEffect(() => {
    onUnauthorized((err) => signOut(`Signed out: ${err.message}`));
    const token = credential.get();
    if (!token) return;
    loadIdentity()
      .then((id) => {
        setIdentity(id);
        setState('in');
      })
      .catch((e) => {
        if (e.status === 401) signOut(`Signed out: ${e.message}`);
        else {
          setError(e);
          setState('error');
        }
      });
  }, []);

  if (state === 'signedout') {
    return html`<${SignIn} notice=${notice} onSignedIn=${(id) => { setNotice(null); setIdentity(id); setState('in'); }} />`;
  }
  if (state === 'loading') return html`<main><${Loading} what="your credential" /></main>`;
  if (state === 'error') {
    return html`<main><${Alert} error=${error} /><button type="button" onClick=${() => signOut()}>Sign out</button></main>`;
  }
  return html`<${Shell} identity=${identity} onSignOut=${() => signOut()} />`;
}

function Shell({ identity, onSignOut }) {
  const route = useRoute();
  const caps = capabilities(identity);
  const ownTenant = identity.tenant_id ?? null;
  const tenant = route.tenant || ownTenant;
  const browseHref = ownTenant ? links.tenant(ownTenant) : links.home();
  const section = route.name === 'usage' ? 'usage' : route.name === 'keys' ? 'keys' : route.name === 'bundles' ? 'bundles' : 'browse';
  const current = (s) => (section === s ? 'page' : undefined);

  let page;
  switch (route.name) {
    case 'home':
      page = html`<${Home} identity=${identity} caps=${caps} />`;
      break;
    case 'tenant':
      page = html`<${Namespaces} tenant=${route.tenant} caps=${caps} />`;
      break;
    case 'objects':
      page = html`<${ObjectBrowser} key=${route.tenant + '\u0000' + route.namespace} route=${route} caps=${caps} />`;
      break;
    case 'object':
      page = html`<${ObjectPage} key=${route.id} route=${route} caps=${caps} />`;
      break;
    case 'bundles':
      page = html`<${Bundles} tenant=${route.tenant || ownTenant} caps=${caps} />`;
      break;
    case 'usage':
      page = html`<${Usage} identity=${identity} caps=${caps} />`;
      break;
    case 'keys':
      page = caps.manageKeys ? html`<${Keys} identity=${identity} caps=${caps} />` : html`<${Alert} error="This credential may not manage API keys." />`;
      break;
    default:
      page = html`<h1>Not found</h1><p>No such page. <a href="#/">Go home</a></p>`;
  }

  return html`<div class="shell">
    <a class="skip" href="#main-content" onClick=${(e) => { e.preventDefault(); document.getElementById('main-content')?.focus(); }}>Skip to content</a>
    <header class="banner">
      <span class="brand">castor</span>
      <span class="who" data-testid="who">
        <span>${identity.credential}</span>
        <span class="muted"> · tenant </span>
        <span>${ownTenant === null ? '* (every tenant)' : ownTenant === undefined ? 'unknown' : ownTenant}</span>
        ${!caps.write && html`<span class="badge">read-only</span>`}
      </span>
      <span class="spacer"></span>
      <${ThemeToggle} />
      <button type="button" onClick=${onSignOut}>Sign out</button>
    </header>
    <nav aria-label="Main" class="mainnav">
      <a href=${browseHref} aria-current=${current('browse')}>Browse</a>
      <a href=${links.bundles(tenant)} aria-current=${current('bundles')}>Bundles</a>
      <a href=${links.usage()} aria-current=${current('usage')}>Usage</a>
      ${caps.manageKeys && html`<a href=${links.keys()} aria-current=${current('keys')}>API keys</a>`}
    </nav>
    <main id="main-content" tabindex="-1">${page}</main>
    <${UploadsPanel} />
  </div>`;
}
