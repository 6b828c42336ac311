-- Accounts and sign-in tokens. Owned by server/auth.
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('operator', 'organizer')),
  region_id     INTEGER,             -- organizers: the root of the region subtree they may report on
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

-- Bearer tokens are random; only their sha256 is stored.
CREATE TABLE auth_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX auth_tokens_user ON auth_tokens(user_id);
