// Entry point: mounts the app into #app.
import { render } from 'preact';
import { html } from './html.js';
import { App } from './components/App.js';
import { applyTheme, currentTheme } from './theme.js';
import '../styles/app.css';

applyTheme(currentTheme());
render(html`<${App} />`, document.getElementById('app'));
