package dev.backout.incident;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.approval.Approvals;
import dev.backout.execution.Executions;
import dev.backout.runbook.MarkdownImport;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 000's hand-written document, imported, edited as docs/importing.md says (a verify check
 * added), loaded and run end to end through a whole incident on a database that holds the schema
 * the seed's migration created (issue 13, item 1).
 */
@IntegrationTest
class SeedImportIntegrationTests {

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	Executions executions;

	@Autowired
	Approvals approvals;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void seed000ImportedAndEditedAsDocumentedRollsTheCoreSchemaBack() throws Exception {
		MarkdownImport.Draft draft = MarkdownImport.of("core-schema-imported", resource("/seeds/000-core-schema.md"));
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
		ImportedRunbooks imported = new ImportedRunbooks(this.catalog, this.incidents, this.incidentApprovals, this.incidentSteps,
				this.executions, this.approvals);
		imported.load("core-schema-imported", edited);
		Target target = new ScratchTargets(this.demo, this.targets).create("seed000-" + System.nanoTime() % 1_000_000,
				resource("/demo/000-core-schema.sql"));

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
		MarkdownImport.Draft draft = MarkdownImport.of("ecto-alignment-imported", resource("/seeds/004-ecto-schema-alignment.md"));
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
		ImportedRunbooks imported = new ImportedRunbooks(this.catalog, this.incidents, this.incidentApprovals, this.incidentSteps,
				this.executions, this.approvals);
		imported.load("ecto-alignment-imported", edited);
		Target target = new ScratchTargets(this.demo, this.targets).create("seed004-" + System.nanoTime() % 1_000_000,
				resource("/demo/004-ecto-schema-alignment.sql"));

		imported.revertEndToEnd("ecto-alignment-imported", "roll-back", target);
	}

	private static String resource(String path) throws Exception {
		try (InputStream in = SeedImportIntegrationTests.class.getResourceAsStream(path)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
