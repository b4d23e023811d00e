/**
 * The colour theme: the system's setting, or light or dark chosen by the viewer and remembered
 * in localStorage. Applied as `data-theme` on <html> (styles.css keys its colours on it).
 */
import { useEffect, useState } from 'preact/hooks';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
const KEY = 'pharos-theme';
const CHANGED = 'pharos-theme-changed';

export function storedTheme(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function chooseTheme(theme: Theme): void {
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // Storage refused (private mode): the choice holds for this page only.
  }
  applyTheme(theme);
  dispatchEvent(new Event(CHANGED));
}

/** A number that changes whenever the colours do (a choice here, or the system's setting), for what paints colours itself (charts). */
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const media = matchMedia('(prefers-color-scheme: dark)');
    addEventListener(CHANGED, bump);
    media.addEventListener('change', bump);
    return () => { removeEventListener(CHANGED, bump); media.removeEventListener('change', bump); };
  }, []);
  return version;
}

export function ThemeChoice() {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  return (
    <label class="inline theme">
      Theme
      <select value={theme} onChange={(e) => { const t = e.currentTarget.value as Theme; setTheme(t); chooseTheme(t); }}>
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
