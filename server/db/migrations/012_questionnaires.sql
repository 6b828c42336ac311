-- Questionnaires (needs surveys) and quizzes, the answers sites send, and per-option counters that make reports fast.
CREATE TABLE questionnaires (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('survey', 'quiz')),
  title        TEXT NOT NULL,
  program_id   INTEGER REFERENCES programs(id) ON DELETE SET NULL,
  opens_at     INTEGER,                     -- epoch ms; null = open from publishing
  closes_at    INTEGER,                     -- epoch ms; null = never closes
  pass_mark    INTEGER,                     -- quiz: percent of questions right to pass
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  published_at TEXT,
  questions    TEXT NOT NULL,               -- JSON: [{type, text, options, correct?}]
  answers      INTEGER NOT NULL DEFAULT 0,  -- answers stored (kept by ingest): once > 0 the questions are fixed
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX questionnaires_program ON questionnaires(program_id);

-- Reach: the regions (and everything under them); none = every site.
CREATE TABLE questionnaire_regions (
  questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id) ON DELETE CASCADE,
  region_id        INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
  PRIMARY KEY (questionnaire_id, region_id)
) WITHOUT ROWID;

-- One row per answer a site sent, exactly once by (site, id made at the site). A member's quiz answer carries its score.
CREATE TABLE questionnaire_answers (
  site_id          INTEGER NOT NULL,
  answer_id        TEXT NOT NULL,
  questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id) ON DELETE CASCADE,
  member_no        TEXT,                    -- null for a room's answer
  headcount        INTEGER NOT NULL,        -- 1 for a member
  answered_at      INTEGER NOT NULL,        -- epoch ms, corrected to the server clock
  day              TEXT NOT NULL,           -- province day of answered_at
  digest           TEXT NOT NULL,           -- of the content: a resend with other content is an id conflict
  right_count      INTEGER,                 -- quiz, member: questions answered right
  passed           INTEGER,                 -- quiz, member: 0/1
  received_at      INTEGER NOT NULL,
  PRIMARY KEY (site_id, answer_id)
) WITHOUT ROWID;
CREATE INDEX questionnaire_answers_q ON questionnaire_answers(questionnaire_id, site_id);

-- Per question, option and site-day: people choosing it (members 1 each, rooms their hands). option -1 counts the
-- people answering the question (members 1, rooms their headcount), the denominator of shares.
CREATE TABLE questionnaire_counts (
  questionnaire_id INTEGER NOT NULL REFERENCES questionnaires(id) ON DELETE CASCADE,
  site_id          INTEGER NOT NULL,
  day              TEXT NOT NULL,
  question         INTEGER NOT NULL,
  option           INTEGER NOT NULL,
  count            INTEGER NOT NULL,
  PRIMARY KEY (questionnaire_id, site_id, day, question, option)
) WITHOUT ROWID;
