-- Seed 003, forward: the coaching tables and functions, and the sponsor_connections sequence fix.
CREATE TABLE sponsor_connections (
  id serial PRIMARY KEY,
  sponsor_id uuid NOT NULL,
  member_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'active',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sponsor_id, member_id)
);
CREATE TABLE sponsor_chat_messages (
  id bigserial PRIMARY KEY,
  connection_id integer NOT NULL REFERENCES sponsor_connections (id),
  sender_id uuid NOT NULL,
  body text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sponsor_visible_memos (
  id bigserial PRIMARY KEY,
  connection_id integer NOT NULL REFERENCES sponsor_connections (id),
  memo text NOT NULL,
  read_at timestamptz
);
CREATE FUNCTION create_coach_connection(p_sponsor uuid, p_member uuid) RETURNS integer LANGUAGE sql AS $$
  INSERT INTO sponsor_connections (sponsor_id, member_id) VALUES (p_sponsor, p_member) RETURNING id;
$$;
CREATE FUNCTION get_unread_memo_count(p_member uuid) RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT count(*)::integer FROM sponsor_visible_memos m JOIN sponsor_connections c ON c.id = m.connection_id
  WHERE c.member_id = p_member AND m.read_at IS NULL;
$$;

-- Rows imported with explicit ids: the migration's sequence fix then set the sequence past them.
INSERT INTO sponsor_connections (id, sponsor_id, member_id)
SELECT g, md5('sponsor' || (g % 100))::uuid, md5('member' || g)::uuid FROM generate_series(1, 2000) g;
SELECT setval('sponsor_connections_id_seq', (SELECT max(id) FROM sponsor_connections));
INSERT INTO sponsor_chat_messages (connection_id, sender_id, body)
SELECT 1 + g % 2000, md5('member' || (1 + g % 2000))::uuid, 'Coaching message ' || g FROM generate_series(1, 5000) g;
INSERT INTO sponsor_visible_memos (connection_id, memo, read_at)
SELECT 1 + g % 2000, 'Memo ' || g, CASE WHEN g % 3 = 0 THEN now() END FROM generate_series(1, 1500) g;
