// Light/dark: follows prefers-color-scheme unless the user picks one (kept in localStorage).
const KEY = 'castor.theme';
const ORDER = ['auto', 'light', 'dark'];

export function currentTheme() {
  const t = localStorage.getItem(KEY);
  return ORDER.includes(t) ? t : 'auto';
}

export function applyTheme(t) {
  if (t === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}

/** Moves to the next theme (auto → light → dark → auto), applies and returns it. */
export function nextTheme() {
  const t = ORDER[(ORDER.indexOf(currentTheme()) + 1) % ORDER.length];
  localStorage.setItem(KEY, t);
  applyTheme(t);
  return t;
}
