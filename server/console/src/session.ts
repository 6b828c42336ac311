// Who is signed in: the bearer token and the user, kept in localStorage so a reload keeps the session.
import { reactive } from 'vue';
import type { LoginResponse } from './api/types.ts';

/** Who signed in, as the login answer describes them. */
type User = LoginResponse['user'];

const KEY = 'dyb-console-session';

interface Session {
  token: string | null;
  user: User | null;
}

function load(): Session {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    if (saved?.token && saved.user) return saved;
  } catch {
    // a damaged entry is the same as none
  }
  return { token: null, user: null };
}

export const session = reactive<Session>(load());

export function signIn(token: string, user: User): void {
  session.token = token;
  session.user = user;
  localStorage.setItem(KEY, JSON.stringify({ token, user }));
}

export function signOut(): void {
  session.token = null;
  session.user = null;
  localStorage.removeItem(KEY);
}

export const isOperator = () => session.user?.role === 'operator';
