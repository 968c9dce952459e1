-- Seed 001, forward: alembic revision 20251019_memory_schema_rls.
-- pgvector is not available on the embedded server: embedding is real[] and the "hnsw" and
-- "ivfflat" indexes are GIN and B-tree indexes of the same names (closest real substitutes).
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('20251019_memory_schema_rls');

CREATE TABLE memory_chunks (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  content text NOT NULL,
  embedding real[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Tested scenario 2: 10,000 rows.
INSERT INTO memory_chunks (tenant_id, user_id, content, embedding, created_at)
SELECT md5('tenant' || (g % 20))::uuid, md5('user' || (g % 500))::uuid, 'Memory chunk ' || g,
       ARRAY[(g % 97) / 97.0, (g % 89) / 89.0, (g % 83) / 83.0, (g % 79) / 79.0]::real[],
       timestamptz '2025-10-19 08:00:00+00' + g * interval '1 minute'
FROM generate_series(1, 10000) g;
CREATE INDEX idx_memory_chunks_embedding_hnsw ON memory_chunks USING gin (embedding);
CREATE INDEX idx_memory_chunks_embedding_ivfflat ON memory_chunks (tenant_id, created_at);
CREATE INDEX idx_memory_chunks_user_embedding ON memory_chunks (user_id, created_at);
ALTER TABLE memory_chunks ENABLE ROW LEVEL SECURITY;
CREATE POLICY memory_tenant_isolation ON memory_chunks
  USING (tenant_id = current_setting('app.tenant_id', true)::uuid);
