-- Seed 000, forward: core schema migration 202510041230 (planning, chat and audit tables with RLS).
CREATE TYPE goal_type AS ENUM ('outcome', 'habit', 'project');
CREATE TYPE plan_mode AS ENUM ('weekly', 'daily');
CREATE TYPE plan_item_status AS ENUM ('planned', 'in_progress', 'done', 'locked');
CREATE TYPE actor_type AS ENUM ('user', 'assistant', 'system');
CREATE TYPE chat_role AS ENUM ('user', 'assistant', 'system');

CREATE TABLE vision (id bigserial PRIMARY KEY, owner_id uuid NOT NULL, statement text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE cycle (id bigserial PRIMARY KEY, owner_id uuid NOT NULL, vision_id bigint NOT NULL REFERENCES vision (id),
  starts_on date NOT NULL, ends_on date NOT NULL);
CREATE TABLE goal (id bigserial PRIMARY KEY, owner_id uuid NOT NULL, cycle_id bigint NOT NULL REFERENCES cycle (id),
  type goal_type NOT NULL, title text NOT NULL);
CREATE TABLE weekly_plan (id bigserial PRIMARY KEY, owner_id uuid NOT NULL, cycle_id bigint NOT NULL REFERENCES cycle (id),
  week_start date NOT NULL, mode plan_mode NOT NULL DEFAULT 'weekly');
CREATE TABLE task (id bigserial PRIMARY KEY, owner_id uuid NOT NULL, goal_id bigint NOT NULL REFERENCES goal (id),
  title text NOT NULL, done boolean NOT NULL DEFAULT false);
CREATE TABLE plan_item (id bigserial PRIMARY KEY, owner_id uuid NOT NULL,
  weekly_plan_id bigint NOT NULL REFERENCES weekly_plan (id), task_id bigint NOT NULL REFERENCES task (id),
  status plan_item_status NOT NULL DEFAULT 'planned', locked boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE audit_log (id bigserial PRIMARY KEY, subject_id uuid NOT NULL, actor actor_type NOT NULL,
  action text NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE chat_session (id bigserial PRIMARY KEY, owner_id uuid NOT NULL, started_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE chat_message (id bigserial PRIMARY KEY, owner_id uuid NOT NULL,
  session_id bigint NOT NULL REFERENCES chat_session (id), role chat_role NOT NULL, body text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now());

CREATE FUNCTION enforce_plan_item_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.locked AND NEW.status <> OLD.status THEN
    RAISE EXCEPTION 'plan item % is locked', OLD.id;
  END IF;
  RETURN NEW;
END
$$;
CREATE FUNCTION set_plan_item_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER trg_plan_item_lock BEFORE UPDATE ON plan_item FOR EACH ROW EXECUTE FUNCTION enforce_plan_item_lock();
CREATE TRIGGER trg_plan_item_set_updated_at BEFORE UPDATE ON plan_item FOR EACH ROW EXECUTE FUNCTION set_plan_item_updated_at();

-- 200 owners with a vision, a cycle, goals, tasks, plans and chats each.
INSERT INTO vision (owner_id, statement)
SELECT md5('owner' || g)::uuid, 'Vision statement ' || g FROM generate_series(1, 200) g;
INSERT INTO cycle (owner_id, vision_id, starts_on, ends_on)
SELECT owner_id, id, date '2025-10-01', date '2025-12-31' FROM vision;
INSERT INTO goal (owner_id, cycle_id, type, title)
SELECT c.owner_id, c.id, (ARRAY['outcome', 'habit', 'project']::goal_type[])[1 + g % 3], 'Goal ' || g
FROM cycle c CROSS JOIN generate_series(1, 3) g;
INSERT INTO weekly_plan (owner_id, cycle_id, week_start)
SELECT c.owner_id, c.id, date '2025-10-06' + 7 * g FROM cycle c CROSS JOIN generate_series(0, 3) g;
INSERT INTO task (owner_id, goal_id, title, done)
SELECT o.owner_id, o.id, 'Task ' || g, g % 4 = 0 FROM goal o CROSS JOIN generate_series(1, 4) g;
INSERT INTO plan_item (owner_id, weekly_plan_id, task_id, status, locked)
SELECT t.owner_id, w.id, t.id, (ARRAY['planned', 'in_progress', 'done', 'locked']::plan_item_status[])[1 + t.id % 4], t.id % 10 = 0
FROM task t JOIN goal o ON o.id = t.goal_id JOIN weekly_plan w ON w.cycle_id = o.cycle_id AND w.week_start = date '2025-10-06';
INSERT INTO audit_log (subject_id, actor, action)
SELECT md5('owner' || (g % 200 + 1))::uuid, (ARRAY['user', 'assistant', 'system']::actor_type[])[1 + g % 3], 'action ' || g
FROM generate_series(1, 3000) g;
INSERT INTO chat_session (owner_id) SELECT owner_id FROM vision CROSS JOIN generate_series(1, 2);
INSERT INTO chat_message (owner_id, session_id, role, body)
SELECT s.owner_id, s.id, (ARRAY['user', 'assistant']::chat_role[])[1 + g % 2], 'Message ' || g
FROM chat_session s CROSS JOIN generate_series(1, 10) g;

ALTER TABLE vision ENABLE ROW LEVEL SECURITY;
ALTER TABLE cycle ENABLE ROW LEVEL SECURITY;
ALTER TABLE goal ENABLE ROW LEVEL SECURITY;
ALTER TABLE weekly_plan ENABLE ROW LEVEL SECURITY;
ALTER TABLE task ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_item ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_session ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_message ENABLE ROW LEVEL SECURITY;
CREATE POLICY vision_owner_manage ON vision USING (owner_id = current_setting('app.user_id', true)::uuid);
CREATE POLICY cycle_owner_manage ON cycle USING (owner_id = current_setting('app.user_id', true)::uuid);
CREATE POLICY goal_owner_manage ON goal USING (owner_id = current_setting('app.user_id', true)::uuid);
CREATE POLICY weekly_plan_owner_manage ON weekly_plan USING (owner_id = current_setting('app.user_id', true)::uuid);
CREATE POLICY task_owner_manage ON task USING (owner_id = current_setting('app.user_id', true)::uuid);
CREATE POLICY plan_item_owner_manage ON plan_item USING (owner_id = current_setting('app.user_id', true)::uuid);
CREATE POLICY audit_log_subject_read ON audit_log FOR SELECT USING (subject_id = current_setting('app.user_id', true)::uuid);
CREATE POLICY chat_session_owner_manage ON chat_session USING (owner_id = current_setting('app.user_id', true)::uuid);
CREATE POLICY chat_message_owner_manage ON chat_message USING (owner_id = current_setting('app.user_id', true)::uuid);
