-- Seed 004, forward: Ecto migration 20250101000014_align_schema_table_names.
CREATE TABLE schema_migrations (version bigint PRIMARY KEY, inserted_at timestamp(0) without time zone);
INSERT INTO schema_migrations VALUES
  (20240101000003, '2024-01-01 00:00:03'), (20240101000004, '2024-01-01 00:00:04'),
  (20240101000005, '2024-01-01 00:00:05'), (20250101000014, '2025-10-05 09:12:00');

CREATE TABLE codebase_snapshots (
  id bigserial PRIMARY KEY,
  codebase_id varchar(255),
  snapshot_id integer,
  summary jsonb,
  detected_technologies text[],
  features jsonb,
  metadata jsonb,
  inserted_at timestamp(0) without time zone NOT NULL DEFAULT now(),
  updated_at timestamp(0) without time zone NOT NULL DEFAULT now()
);
CREATE INDEX codebase_snapshots_codebase_id_index ON codebase_snapshots (codebase_id);
CREATE INDEX codebase_snapshots_codebase_id_snapshot_id_index ON codebase_snapshots (codebase_id, snapshot_id);
CREATE INDEX codebase_snapshots_inserted_at_index ON codebase_snapshots (inserted_at);

CREATE TABLE git_agent_sessions (
  id bigserial PRIMARY KEY,
  agent_id varchar(255),
  branch varchar(255),
  status varchar(255),
  workspace_path text,
  correlation_id uuid,
  meta jsonb,
  inserted_at timestamp(0) without time zone NOT NULL DEFAULT now(),
  updated_at timestamp(0) without time zone NOT NULL DEFAULT now()
);
CREATE INDEX git_agent_sessions_agent_id_index ON git_agent_sessions (agent_id);
CREATE INDEX git_agent_sessions_status_index ON git_agent_sessions (status);
CREATE INDEX git_agent_sessions_correlation_id_index ON git_agent_sessions (correlation_id);
CREATE TABLE git_pending_merges (id bigserial PRIMARY KEY, branch varchar(255) NOT NULL, agent_id varchar(255),
  inserted_at timestamp(0) without time zone NOT NULL DEFAULT now());
CREATE TABLE git_merge_history (id bigserial PRIMARY KEY, branch varchar(255) NOT NULL, merged_at timestamptz,
  status varchar(32));
CREATE TABLE git_commits (id bigserial PRIMARY KEY, session_id bigint REFERENCES git_agent_sessions (id), sha char(40));

CREATE TABLE technology_templates (id bigserial PRIMARY KEY, technology_name varchar(255) NOT NULL,
  template text, created_at timestamp(0) without time zone NOT NULL DEFAULT now(),
  updated_at timestamp(0) without time zone NOT NULL DEFAULT now());
CREATE TABLE technology_patterns (id bigserial PRIMARY KEY, technology_name varchar(255) NOT NULL,
  technology_type varchar(255) NOT NULL, extended_metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamp(0) without time zone NOT NULL DEFAULT now(),
  updated_at timestamp(0) without time zone NOT NULL DEFAULT now());

-- 3,000 snapshots (some without metadata, as after a partial import), 1,200 sessions, 400 patterns.
INSERT INTO codebase_snapshots (codebase_id, snapshot_id, summary, detected_technologies, features, metadata)
SELECT 'codebase-' || (g % 40), g, jsonb_build_object('files', g % 300),
       ARRAY['elixir', 'rust', 'typescript'], '{}'::jsonb,
       CASE WHEN g % 10 = 0 THEN NULL ELSE jsonb_build_object('event_type', 'detection', 'detector', 'detector-' || (g % 5),
         'confidence', round(((g % 100) / 100.0)::numeric, 2)) END
FROM generate_series(1, 3000) g;
INSERT INTO git_agent_sessions (agent_id, branch, status, workspace_path, correlation_id, meta)
SELECT 'agent-' || (g % 30), CASE WHEN g % 50 = 0 THEN NULL ELSE 'feature/' || g END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE (ARRAY['active', 'merged', 'abandoned'])[1 + g % 3] END,
       '/work/agent-' || (g % 30), md5('corr' || g)::uuid,
       jsonb_build_object('session_type', (ARRAY['feature', 'fix'])[1 + g % 2], 'base_branch', 'main')
FROM generate_series(1, 1200) g;
INSERT INTO git_pending_merges (branch, agent_id) SELECT 'feature/' || g, 'agent-' || (g % 30) FROM generate_series(1, 150) g;
INSERT INTO git_merge_history (branch, merged_at, status) SELECT 'feature/' || g, now(), 'merged' FROM generate_series(1, 600) g;
INSERT INTO git_commits (session_id, sha) SELECT 1 + g % 1200, md5('sha' || g) || 'abcdefgh' FROM generate_series(1, 2500) g;
INSERT INTO technology_templates (technology_name, template)
SELECT 'tech-' || g, 'template ' || g FROM generate_series(1, 400) g;
INSERT INTO technology_patterns (technology_name, technology_type, extended_metadata)
SELECT 'tech-' || g, (ARRAY['language', 'framework', 'database', 'tool'])[1 + g % 4],
       jsonb_build_object('description', 'Pattern for tech-' || g)
FROM generate_series(1, 400) g;
