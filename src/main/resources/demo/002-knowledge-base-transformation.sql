-- Seed 002, forward: migrations 010 (digital_twins → knowledge_bases), 011 (handover removed)
-- and 012 (OAuth support), i.e. the state the three rollback scripts start from.
CREATE TYPE user_role AS ENUM ('super_admin', 'kb_owner', 'end_user');
CREATE TYPE conversation_status AS ENUM ('active', 'closed');
CREATE TYPE message_sender AS ENUM ('user', 'assistant');

CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  role user_role NOT NULL DEFAULT 'end_user',
  password_hash text,
  oauth_provider varchar(32),
  oauth_id varchar(128),
  avatar_url text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE knowledge_bases (
  id bigserial PRIMARY KEY,
  owner_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  is_public boolean NOT NULL DEFAULT false,
  share_url text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE conversations (
  id bigserial PRIMARY KEY,
  kb_id bigint NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status conversation_status NOT NULL DEFAULT 'active',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE messages (
  id bigserial PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  sender message_sender NOT NULL,
  body text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now()
);

-- A user's data goes with the user (the seed: option 2 "deletes user data").
-- 2,000 users; every 25th signed up with OAuth and has no password.
INSERT INTO users (email, role, password_hash, oauth_provider, oauth_id, avatar_url)
SELECT 'user' || g || '@example.com',
       (CASE WHEN g = 1 THEN 'super_admin' WHEN g % 20 = 0 THEN 'kb_owner' ELSE 'end_user' END)::user_role,
       CASE WHEN g % 25 = 0 THEN NULL ELSE '$2b$10$' || md5('pw' || g) END,
       CASE WHEN g % 25 = 0 THEN 'google' END,
       CASE WHEN g % 25 = 0 THEN 'google-' || g END,
       CASE WHEN g % 25 = 0 THEN 'https://avatars.example.com/' || g END
FROM generate_series(1, 2000) g;
INSERT INTO knowledge_bases (owner_id, name, description, is_public, share_url)
SELECT u.id, 'Knowledge base ' || u.id, 'About topic ' || u.id, u.id % 3 = 0,
       CASE WHEN u.id % 3 = 0 THEN 'https://kb.example.com/s/' || md5(u.id::text) END
FROM users u WHERE u.role = 'kb_owner';
INSERT INTO conversations (kb_id, user_id, status)
SELECT k.id, 1 + (k.id * g) % 2000, (ARRAY['active', 'closed']::conversation_status[])[1 + g % 2]
FROM knowledge_bases k CROSS JOIN generate_series(1, 30) g;
INSERT INTO messages (conversation_id, sender, body)
SELECT c.id, (ARRAY['user', 'assistant']::message_sender[])[1 + g % 2], 'Message ' || g
FROM conversations c CROSS JOIN generate_series(1, 4) g;
