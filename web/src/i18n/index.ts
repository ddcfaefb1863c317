// Translations: one JSON file per feature (namespace) and language under `locales/`. English
// and Dutch must hold the same keys; `i18n.test.ts` fails on any key missing in either.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

type Tree = { [key: string]: string | Tree };

const files = import.meta.glob<Tree>('./locales/*/*.json', { eager: true, import: 'default' });

export const languages = ['en', 'nl'] as const;
export type Language = (typeof languages)[number];

/** `{en: {common: {...}, composer: {...}}, nl: {...}}` from the files. */
export function resources(): Record<string, Record<string, Tree>> {
  const out: Record<string, Record<string, Tree>> = {};
  for (const [path, tree] of Object.entries(files)) {
    const match = /\.\/locales\/([a-z]+)\/([a-z-]+)\.json$/.exec(path);
    if (!match) continue;
    const [, lang, ns] = match;
    (out[lang] ??= {})[ns] = tree;
  }
  return out;
}

const stored = (() => {
  try {
    return window.localStorage.getItem('heraut.language');
  } catch {
    return null;
  }
})();

function initial(): Language {
  if (stored === 'en' || stored === 'nl') return stored;
  const nav = typeof navigator === 'undefined' ? 'en' : navigator.language;
  return nav.toLowerCase().startsWith('nl') ? 'nl' : 'en';
}

const all = resources();

void i18n.use(initReactI18next).init({
  resources: all,
  lng: initial(),
  fallbackLng: 'en',
  ns: Object.keys(all.en ?? {}),
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
});

document.documentElement.lang = i18n.language;
i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  try {
    window.localStorage.setItem('heraut.language', lng);
  } catch {
    // A browser that refuses storage keeps the choice for this visit only.
  }
});

export default i18n;
