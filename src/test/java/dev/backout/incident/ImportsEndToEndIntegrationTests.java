package dev.backout.incident;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SeedDocuments;
import dev.backout.approval.Approvals;
import dev.backout.execution.Executions;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.MarkdownImport;
import dev.backout.runbook.MigrationToolImport;
import dev.backout.runbook.SqitchImport;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Imports run end to end through a whole incident on real PostgreSQL (issue 13, items 1 and 2).
 * Migration tools' own rollback scripts — a sqitch project whose last three changes include a
 * reworked one, Flyway undo migrations, alembic's offline downgrade SQL, a Liquibase changelog —
 * each written by the test as the tool writes it, loaded without a hand edit; afterwards the tool's
 * own record agrees with the database. Seed documents, edited as docs/importing.md says, on a
 * database built by the seed's forward migration.
 */
@IntegrationTest
class ImportsEndToEndIntegrationTests {

	@Autowired
	Executions executions;

	@Autowired
	ApplicationContext context;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void theLastThreeChangesOfASqitchProjectAreRevertedEndToEndAndTheRegistryAgrees() throws Exception {
		SqitchImport.Draft draft = SqitchImport.of("flipr-revert", SqitchFixture.PLAN, SqitchFixture.SCRIPTS, 3);
		assertThat(draft.changes()).containsExactly("users", "userstats", "flips");
		assertThat(draft.yaml()).contains("tool: sqitch", "ALTER TABLE flipr.users DROP COLUMN twitter;", "DROP VIEW flipr.userstats;")
			.doesNotContain("BEGIN;", "COMMIT;");

		// Loaded as it was imported: no hand edit.
		ImportedRunbooks imported = imported();
		imported.load("flipr-revert", draft.yaml());
		Target target = new ScratchTargets(this.demo, this.targets).create("flipr-" + System.nanoTime() % 1_000_000,
				SqitchFixture.deployed() + SqitchFixture.REGISTRY + SqitchFixture.DEPLOYED);
		imported.revertEndToEnd("flipr-revert", "revert", target);

		Map<String, String> facts = query(target, """
				SELECT 'flips', coalesce(to_regclass('flipr.flips')::text, 'gone')
				UNION ALL SELECT 'userstats', coalesce(to_regclass('flipr.userstats')::text, 'gone')
				UNION ALL SELECT 'users columns', string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
				  WHERE table_schema = 'flipr' AND table_name = 'users'
				UNION ALL SELECT 'deployed', string_agg(change_id || ':' || change, ',' ORDER BY committed_at) FROM sqitch.changes
				UNION ALL SELECT 'reverts', string_agg(change, ',' ORDER BY change) FROM sqitch.events WHERE event = 'revert'
				UNION ALL SELECT 'tags', string_agg(tag || '@' || change_id, ',') FROM sqitch.tags
				UNION ALL SELECT 'dependencies', count(*)::text FROM sqitch.dependencies""");
		assertThat(facts).containsEntry("flips", "gone")
			.containsEntry("userstats", "gone")
			.containsEntry("users columns", "nickname,password")
			.containsEntry("deployed", "c1:appschema,c2:users")
			.containsEntry("reverts", "flips,users,userstats")
			.containsEntry("tags", "@v1.0@c2")
			.containsEntry("dependencies", "1");
	}

	@Test
	void flywayUndoMigrationsRevertTheLastTwoVersionsAndTheirHistoryRows() throws Exception {
		Map<String, String> files = Map.of(
				"db/migration/V1__create_accounts.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);",
				"db/migration/V1.9__add_names.sql", "ALTER TABLE accounts ADD COLUMN name text;",
				"db/migration/V1.10__add_audit.sql", "CREATE TABLE account_audit (id bigint, at timestamptz);",
				"db/migration/U1.9__add_names.sql", "ALTER TABLE accounts DROP COLUMN name;",
				"db/migration/U1.10__add_audit.sql", "DROP TABLE account_audit;",
				"db/migration/U1__create_accounts.sql", "DROP TABLE accounts;");
		MigrationToolImport.Draft draft = MigrationToolImport.flyway("accounts-undo", files, 2, null);
		assertThat(draft.changes()).as("1.10 comes after 1.9").containsExactly("1.10", "1.9");

		ImportedRunbooks imported = imported();
		imported.load("accounts-undo", draft.yaml());
		Target target = new ScratchTargets(this.demo, this.targets).create("flyway-" + System.nanoTime() % 1_000_000, """
				CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
				ALTER TABLE accounts ADD COLUMN name text;
				CREATE TABLE account_audit (id bigint, at timestamptz);
				CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
				  type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
				  installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);
				INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by,
				  execution_time, success) VALUES
				  (1, '1', 'create accounts', 'SQL', 'V1__create_accounts.sql', 1, 'app', 5, true),
				  (2, '1.9', 'add names', 'SQL', 'V1.9__add_names.sql', 2, 'app', 5, true),
				  (3, '1.10', 'add audit', 'SQL', 'V1.10__add_audit.sql', 3, 'app', 5, true);""");
		imported.revertEndToEnd("accounts-undo", "revert", target);

		assertThat(query(target, """
				SELECT 'audit', coalesce(to_regclass('account_audit')::text, 'gone')
				UNION ALL SELECT 'columns', string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
				  WHERE table_name = 'accounts'
				UNION ALL SELECT 'history', string_agg(version, ',' ORDER BY installed_rank) FROM flyway_schema_history"""))
			.containsEntry("audit", "gone")
			.containsEntry("columns", "id,email")
			.containsEntry("history", "1");
	}

	@Test
	void alembicOfflineDowngradeSqlRevertsTwoRevisionsWithItsOwnVersionUpdates() throws Exception {
		// What `alembic downgrade c3:a1 --sql` prints.
		String offline = """
				BEGIN;

				-- Running downgrade c3 -> b2

				DROP INDEX ix_orders_placed_at;

				UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'c3';

				-- Running downgrade b2 -> a1

				ALTER TABLE orders DROP COLUMN placed_at;

				UPDATE alembic_version SET version_num='a1' WHERE alembic_version.version_num = 'b2';

				COMMIT;
				""";
		MigrationToolImport.Draft draft = MigrationToolImport.alembic("orders-downgrade", offline);
		assertThat(draft.changes()).containsExactly("c3", "b2");
		assertThat(draft.yaml()).doesNotContain("BEGIN;", "COMMIT;");

		ImportedRunbooks imported = imported();
		imported.load("orders-downgrade", draft.yaml());
		Target target = new ScratchTargets(this.demo, this.targets).create("alembic-" + System.nanoTime() % 1_000_000, """
				CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz);
				CREATE INDEX ix_orders_placed_at ON orders (placed_at);
				CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
				INSERT INTO alembic_version VALUES ('c3');""");
		imported.revertEndToEnd("orders-downgrade", "revert", target);

		assertThat(query(target, """
				SELECT 'index', coalesce(to_regclass('ix_orders_placed_at')::text, 'gone')
				UNION ALL SELECT 'columns', string_agg(column_name, ',') FROM information_schema.columns WHERE table_name = 'orders'
				UNION ALL SELECT 'version', version_num FROM alembic_version"""))
			.containsEntry("index", "gone")
			.containsEntry("columns", "id")
			.containsEntry("version", "a1");
	}

	@Test
	void liquibaseChangesetsAreRolledBackWithTheSqlLiquibaseGeneratesAndLeaveTheChangelogTable() throws Exception {
		Map<String, String> files = Map.of("db/changelog.yaml", """
				databaseChangeLog:
				  - changeSet:
				      id: "1"
				      author: ana
				      changes:
				        - createTable:
				            tableName: invoices
				            columns:
				              - column: { name: id, type: bigint, constraints: { primaryKey: true } }
				              - column: { name: total, type: "numeric(12,2)" }
				  - changeSet:
				      id: "2"
				      author: ana
				      comment: Adds the due date
				      changes:
				        - addColumn:
				            tableName: invoices
				            columns:
				              - column: { name: due_on, type: date }
				  - changeSet:
				      id: "3"
				      author: ben
				      changes:
				        - createIndex:
				            tableName: invoices
				            indexName: ix_invoices_due_on
				            columns:
				              - column: { name: due_on }
				  - changeSet:
				      id: "4"
				      author: ben
				      changes:
				        - sql: { sql: "CREATE VIEW overdue AS SELECT id FROM invoices WHERE due_on < current_date" }
				      rollback:
				        - sql: { sql: "DROP VIEW overdue" }
				""");
		dev.backout.runbook.LiquibaseImport.Draft draft = dev.backout.runbook.LiquibaseImport.of("invoices-rollback", files,
				"db/changelog.yaml", 3, null);
		assertThat(draft.changes()).containsExactly("4 (ben)", "3 (ben)", "2 (ana)");
		assertThat(draft.yaml()).contains("DROP VIEW overdue", "DROP INDEX", "DROP COLUMN due_on");

		Target target = new ScratchTargets(this.demo, this.targets).create("liquibase-" + System.nanoTime() % 1_000_000, "SELECT 1");
		deployWithLiquibase(target, files);
		ImportedRunbooks imported = imported();
		imported.load("invoices-rollback", draft.yaml());
		imported.revertEndToEnd("invoices-rollback", "revert", target);

		assertThat(query(target, """
				SELECT 'view', coalesce(to_regclass('overdue')::text, 'gone')
				UNION ALL SELECT 'index', coalesce(to_regclass('ix_invoices_due_on')::text, 'gone')
				UNION ALL SELECT 'columns', string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
				  WHERE table_name = 'invoices'
				UNION ALL SELECT 'changelog', string_agg(id, ',' ORDER BY orderexecuted) FROM databasechangelog"""))
			.containsEntry("view", "gone")
			.containsEntry("index", "gone")
			.containsEntry("columns", "id,total")
			.containsEntry("changelog", "1");
	}

	/** `liquibase update`, as the team deployed it: the real DATABASECHANGELOG rows. */
	private void deployWithLiquibase(Target target, Map<String, String> files) throws Exception {
		java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("liquibase-deploy-");
		for (Map.Entry<String, String> file : files.entrySet()) {
			java.nio.file.Path path = folder.resolve(file.getKey());
			java.nio.file.Files.createDirectories(path.getParent());
			java.nio.file.Files.writeString(path, file.getValue());
		}
		try (Connection connection = DriverManager.getConnection(target.jdbcUrl(), this.demo.username(), this.demo.password())) {
			liquibase.database.Database database = liquibase.database.DatabaseFactory.getInstance()
				.findCorrectDatabaseImplementation(new liquibase.database.jvm.JdbcConnection(connection));
			new liquibase.Liquibase("db/changelog.yaml", new liquibase.resource.DirectoryResourceAccessor(folder), database).update("");
		}
	}

	private ImportedRunbooks imported() {
		return ImportedRunbooks.from(this.context);
	}

	private Map<String, String> query(Target on, String sql) throws SQLException {
		Map<String, String> rows = new LinkedHashMap<>();
		try (Connection connection = DriverManager.getConnection(on.jdbcUrl(), this.demo.username(), this.demo.password());
				Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			while (rs.next()) {
				rows.put(rs.getString(1), rs.getString(2));
			}
		}
		return rows;
	}

	@Test
	void seed000ImportedAndEditedAsDocumentedRollsTheCoreSchemaBack() throws Exception {
		MarkdownImport.Draft draft = MarkdownImport.of("core-schema-imported", SeedDocuments.document("000-core-schema"));
		// The documented edit: the document verifies nothing, so the author adds a check.
		String edited = draft.yaml().replace("phases:\n", """
				phases:
				  verify:
				    steps:
				      - id: core-tables-gone
				        title: The core schema's tables are gone
				        check: >-
				          SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
				          AND table_name IN ('vision', 'cycle', 'goal', 'weekly_plan', 'task', 'plan_item', 'audit_log', 'chat_session', 'chat_message')
				        expect: { equals: 0 }
				""");
		ImportedRunbooks imported = imported();
		imported.load("core-schema-imported", edited);
		Target target = new ScratchTargets(this.demo, this.targets).create("seed000-" + System.nanoTime() % 1_000_000,
				SeedDocuments.demoSchema("000-core-schema"));

		imported.revertEndToEnd("core-schema-imported", "roll-back", target);

		try (Connection connection = DriverManager.getConnection(target.jdbcUrl(), this.demo.username(), this.demo.password());
				Statement statement = connection.createStatement();
				ResultSet left = statement.executeQuery("""
						SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'),
						       (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
						        WHERE n.nspname = 'public' AND t.typtype = 'e'),
						       (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public')""")) {
			left.next();
			assertThat(left.getLong(1)).as("tables left").isZero();
			assertThat(left.getLong(2)).as("enum types left").isZero();
			assertThat(left.getLong(3)).as("functions left").isZero();
		}
	}

	@Test
	void seed004ImportedAndEditedAsDocumentedRestoresTheOldEctoSchema() throws Exception {
		MarkdownImport.Draft draft = MarkdownImport.of("ecto-alignment-imported", SeedDocuments.document("004-ecto-schema-alignment"));
		// The documented edits: the console runs the manual SQL, not `mix ecto.rollback` (the document's other way),
		// and the author adds the checks the document gives as \dt listings.
		String quickRollback = """
				    - id: run-cd-singularity
				      manual: Run cd singularity
				    - id: run-mix-ecto-rollback-step-1
				      manual: Run mix ecto.rollback --step 1
				""";
		assertThat(draft.yaml()).contains(quickRollback);
		// On the embedded server there is no pgvector: the embedding column is real[], as in the built-in runbook 004.
		String edited = draft.yaml().replace(quickRollback, "").replace("embedding vector(768)", "embedding real[]").replace("  verify:\n    steps:\n", """
				  verify:
				    steps:
				    - id: old-tables-back
				      title: The old tables are back
				      check: >-
				        SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
				        AND table_name IN ('detection_events', 'git_sessions', 'technology_knowledge')
				      expect: { equals: 3 }
				    - id: new-tables-gone
				      title: The new tables are gone
				      check: >-
				        SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN
				        ('codebase_snapshots', 'git_agent_sessions', 'git_pending_merges', 'git_merge_history', 'technology_templates', 'technology_patterns')
				      expect: { equals: 0 }
				    - id: migration-record-gone
				      title: Ecto no longer lists the migration
				      check: SELECT count(*) FROM schema_migrations WHERE version = 20250101000014
				      expect: { equals: 0 }
				""");
		ImportedRunbooks imported = imported();
		imported.load("ecto-alignment-imported", edited);
		Target target = new ScratchTargets(this.demo, this.targets).create("seed004-" + System.nanoTime() % 1_000_000,
				SeedDocuments.demoSchema("004-ecto-schema-alignment"));

		imported.revertEndToEnd("ecto-alignment-imported", "roll-back", target);
	}

	@Test
	void seed001ImportedAndEditedAsDocumentedDropsTheMemorySchemaAndMovesAlembicBack() throws Exception {
		MarkdownImport.Draft draft = MarkdownImport.of("memory-schema-imported", SeedDocuments.document("001-memory-schema-rls"));
		// The documented edits: the console runs the document's manual SQL, not `alembic downgrade -1` (its other way), so
		// the draft loses the CLI items and gains the update alembic would make; the document asks alembic_version for a
		// `version` column that alembic names version_num, and pg_policies for pg_policy's column names (polname, poltype).
		String edited = withoutSteps(draft.yaml(), "identify-the-migration-revision-id-revis", "rollback-via-alembic-cli-alembic-downgra",
				"set-environment-export-database-url-post", "execute-downgrade-cd-path-to-project", "run-alembic-downgrade-1",
				"alembic-downgrade-1-executed", "exit-code-0-success")
			.replace("SELECT version FROM alembic_version;", "SELECT version_num FROM alembic_version;")
			.replace("polname, poltype FROM pg_policies", "policyname, cmd FROM pg_policies")
			.replace("polname FROM pg_policies", "policyname FROM pg_policies")
			.replace("      confirm: RUN appendix-manual-rollback-sql\n", """
				      confirm: RUN appendix-manual-rollback-sql
				    - id: move-alembic-version-back
				      title: Move alembic_version back to the previous revision
				      sql: UPDATE alembic_version SET version_num = '20251012_conversation_index' WHERE version_num = '20251019_memory_schema_rls'
				""")
			.replace("""
				      title: Verify migration history updated
				      check: SELECT version_num FROM alembic_version;
				""", """
				      title: Verify migration history updated
				      check: SELECT version_num FROM alembic_version;
				      expect: { equals: "20251012_conversation_index" }
				""");
		ImportedRunbooks imported = imported();
		imported.load("memory-schema-imported", edited);
		Target target = new ScratchTargets(this.demo, this.targets).create("seed001-" + System.nanoTime() % 1_000_000,
				SeedDocuments.demoSchema("001-memory-schema-rls"));

		imported.revertEndToEnd("memory-schema-imported", "roll-back", target);

		assertThat(query(target, """
				SELECT 'table', coalesce(to_regclass('memory_chunks')::text, 'gone')
				UNION ALL SELECT 'policies', count(*)::text FROM pg_policies WHERE tablename = 'memory_chunks'
				UNION ALL SELECT 'indexes', count(*)::text FROM pg_indexes WHERE indexname LIKE 'idx_memory_chunks%'
				UNION ALL SELECT 'alembic', version_num FROM alembic_version"""))
			.containsEntry("table", "gone")
			.containsEntry("policies", "0")
			.containsEntry("indexes", "0")
			.containsEntry("alembic", "20251012_conversation_index");
	}

	@Test
	void seed002ImportedWithTheScriptsItRunsRevertsTheTransformationInReverseOrder() throws Exception {
		String seed = "002-knowledge-base-transformation";
		MarkdownImport.Draft draft = MarkdownImport.of("kb-transformation-imported", SeedDocuments.document(seed),
				SeedDocuments.scripts(seed));
		assertThat(draft.scriptsLanded()).isEqualTo(3);
		// The documented edits: of the document's ways to handle OAuth users, option 1 (temporary passwords) runs before
		// 012 as the document says, option 2 (delete them) goes; the tables the document lists with \dt become a check.
		String option1 = """
				    - id: option-1-set-temporary-passwords
				      title: "Option 1: Set Temporary Passwords"
				      sql: |-
				        UPDATE users
				        SET password_hash = '$2b$10$TEMPORARY_HASH_INVALID_FOR_LOGIN'
				        WHERE password_hash IS NULL;
				""";
		assertThat(draft.yaml()).contains(option1);
		String edited = withoutSteps(draft.yaml().replace(option1, ""), "option-2-delete-oauth-users")
			.replace("    - id: rollback-oauth-012-012-rollback-oauth-sq\n", option1 + "    - id: rollback-oauth-012-012-rollback-oauth-sq\n")
			.replace("  verify:\n    steps:\n", """
				  verify:
				    steps:
				    - id: tables-as-before
				      title: digital_twins and handover_notifications are back, knowledge_bases is gone
				      check: >-
				        SELECT string_agg(table_name, ', ' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'
				        AND table_name IN ('digital_twins', 'handover_notifications', 'knowledge_bases')
				      expect: { equals: "digital_twins, handover_notifications" }
				""");
		ImportedRunbooks imported = imported();
		imported.load("kb-transformation-imported", edited);
		Target target = new ScratchTargets(this.demo, this.targets).create("seed002-" + System.nanoTime() % 1_000_000,
				SeedDocuments.demoSchema("002-knowledge-base-transformation"));

		imported.revertEndToEnd("kb-transformation-imported", "roll-back", target);

		assertThat(query(target, """
				SELECT 'users columns', string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
				  WHERE table_schema = 'public' AND table_name = 'users'
				UNION ALL SELECT 'users', count(*)::text FROM users
				UNION ALL SELECT 'without password', count(*)::text FROM users WHERE password_hash IS NULL
				UNION ALL SELECT 'conversations of twins', count(*)::text FROM conversations c JOIN digital_twins d ON d.id = c.twin_id"""))
			.containsEntry("users columns", "id,email,role,password_hash,created_at")
			.as("no user deleted").containsEntry("users", "2000")
			.containsEntry("without password", "0")
			.containsEntry("conversations of twins", "3000");
	}

	@Test
	void seed003ImportedWithItsScriptsResetsTheSequenceAndRemovesTheCoachingTables() throws Exception {
		String seed = "003-sponsor-coaching";
		Map<String, String> scripts = SeedDocuments.scripts(seed);
		MarkdownImport.Draft draft = MarkdownImport.of("sponsor-coaching-imported", SeedDocuments.document(seed), scripts);
		assertThat(draft.todos()).contains("The script rollback_coaching_tables.sql came with the document, but no step of the document runs it.");
		// The documented edits: the completion summary's acceptance criteria are a record, not steps; the coaching script
		// runs where the document says "Uncomment DROP statements, execute rollback", its DROP statements uncommented;
		// the document verifies nothing itself, so the checks are added.
		String coaching = scripts.get("rollback_coaching_tables.sql");
		String drops = coaching.lines().filter((line) -> line.startsWith("-- DROP")).map((line) -> "        " + line.substring(3))
			.collect(java.util.stream.Collectors.joining("\n"));
		String edited = withoutSteps(draft.yaml(), "create-rollback-script-for-sequence-fix", "create-rollback-script-for-coaching-tabl",
				"test-rollback-scripts-sequence-tested-co", "document-rollback-procedures", "uncomment-drop-statements")
			.replace("""
				    - id: execute-rollback
				      manual: Execute rollback
				""", """
				    - id: execute-rollback
				      title: Execute rollback (rollback_coaching_tables.sql, DROP statements uncommented)
				      destructive: true
				      confirm: DROP COACHING TABLES
				      countBefore: SELECT count(*) FROM sponsor_connections
				      sql: |-
				%s
				""".formatted(drops))
			.replace("  restore:\n", """
				  verify:
				    steps:
				    - id: coaching-tables-gone
				      title: The coaching tables and functions are gone
				      check: >-
				        SELECT (SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'sponsor_%')
				        + (SELECT count(*) FROM pg_proc WHERE proname IN ('create_coach_connection', 'get_unread_memo_count'))
				      expect: { equals: 0 }
				  restore:
				""");
		ImportedRunbooks imported = imported();
		imported.load("sponsor-coaching-imported", edited);
		Target target = new ScratchTargets(this.demo, this.targets).create("seed003-" + System.nanoTime() % 1_000_000,
				SeedDocuments.demoSchema("003-sponsor-coaching"));

		Incident incident = imported.revertEndToEnd("sponsor-coaching-imported", "roll-back", target);

		assertThat(query(target, """
				SELECT 'tables', count(*)::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'sponsor_%'
				UNION ALL SELECT 'functions', count(*)::text FROM pg_proc WHERE proname IN ('create_coach_connection', 'get_unread_memo_count')"""))
			.containsEntry("tables", "0")
			.containsEntry("functions", "0");
		// The sequence script ran before the tables went, and its closing query, a check of its own, read the sequence
		// set past every id (2,000 rows).
		assertThat(this.executions.journal(incident.id())).filteredOn((run) -> run.stepId().startsWith("run-rollback-sponsor-connections"))
			.extracting(StepRun::kind, StepRun::state, StepRun::checkValue)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("SQL", StepState.SUCCEEDED, null),
					org.assertj.core.groups.Tuple.tuple("CHECK", StepState.SUCCEEDED, "2001"));
	}

	/** A hand edit: the draft without these steps (an item is its "- id:" line and the lines indented under it). */
	private static String withoutSteps(String yaml, String... ids) {
		String edited = yaml;
		for (String id : ids) {
			String without = edited.replaceAll("(?m)^    - id: " + java.util.regex.Pattern.quote(id) + "\n(?:      .*\n)*", "");
			assertThat(without).as("step " + id + " in the draft").isNotEqualTo(edited);
			edited = without;
		}
		return edited;
	}

}
