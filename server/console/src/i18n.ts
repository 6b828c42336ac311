// The console's language: zh-CN first, English on the switch, remembered in localStorage.
import { ref } from 'vue';
import { messages, type Lang } from './messages.ts';

const KEY = 'dyb-console-lang';

function initial(): Lang {
  const saved = localStorage.getItem(KEY);
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN';
}

export const lang = ref<Lang>(initial());
document.documentElement.lang = lang.value;

export function setLang(l: Lang): void {
  lang.value = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}

/** The text of a key in the current language, with {name} placeholders filled in. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const text = messages[lang.value][key] ?? messages['zh-CN'][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_m, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}
