package dev.backout.runbook;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.backout.SeedDocuments;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Importing the five seed documents (issue 13, item 1): what lands in the draft is counted and
 * printed; what does not is a to-do, never dropped; the draft is a runbook the console reads.
 */
class MarkdownImportTests {

	private final RunbookParser parser = new RunbookParser();

	@ParameterizedTest
	@ValueSource(strings = { "000-core-schema", "001-memory-schema-rls", "002-knowledge-base-transformation", "003-sponsor-coaching",
			"004-ecto-schema-alignment" })
	void aSeedDocumentBecomesADraftWithEverySqlBlockAndCheckboxLandedOrListed(String seed) throws IOException {
		MarkdownImport.Draft draft = MarkdownImport.of(seed, read(seed));

		if (System.getenv("SHOW_DRAFT") != null) { System.out.println(draft.yaml()); }
		System.out.printf("Import %s: SQL %d/%d landed, checkboxes %d/%d landed, %d to-dos%n", seed, draft.sqlLanded(),
				draft.sqlBlocks(), draft.checkboxesLanded(), draft.checkboxes(), draft.todos().size());
		long sqlTodos = draft.todos()
			.stream()
			.filter((todo) -> todo.startsWith("SQL under") || todo.startsWith("psql meta-command") || todo.contains("cannot split"))
			.count();
		assertThat(draft.sqlLanded() + sqlTodos).as("SQL landed or listed").isEqualTo(draft.sqlBlocks());
		assertThat(draft.checkboxesLanded()).isEqualTo(draft.checkboxes());
		ParsedRunbook parsed = this.parser.parse(seed + ".yaml", draft.yaml());
		assertThat(parsed.problems()).as(draft.yaml()).noneMatch((problem) -> problem.message().startsWith("YAML syntax"));
		assertThat(draft.yaml()).startsWith("# Draft imported from a Markdown rollback document. To do before use:");
	}

	@Test
	void theCoreSchemaSeedLandsEverySqlBlockAsStepsInOrder() throws IOException {
		MarkdownImport.Draft draft = MarkdownImport.of("core-schema", read("000-core-schema"));
		assertThat(draft.sqlBlocks()).isEqualTo(5);
		assertThat(draft.sqlLanded()).isEqualTo(5);
		assertThat(this.parser.parse("core-schema.yaml", draft.yaml()).problems()).anySatisfy((problem) ->
				assertThat(problem.message()).contains("verify"));
		// The documented edit (docs/importing.md): the document verifies nothing, so the author adds a check.
		String edited = draft.yaml().replace("phases:\n", """
				phases:
				  verify:
				    steps:
				      - id: tables-gone
				        title: The tables are gone
				        check: SELECT count(*) FROM information_schema.tables WHERE table_name IN ('vision', 'goal', 'chat_message')
				        expect: { equals: 0 }
				""");
		ParsedRunbook parsed = this.parser.parse("core-schema.yaml", edited);
		assertThat(parsed.runbook()).as(String.valueOf(parsed.problems())).isNotNull();
		List<String> titles = parsed.runbook().phases().execute().steps().stream().map(Step::displayTitle).toList();
		assertThat(titles).startsWith("Drop Policies (reverse creation order)", "Disable RLS (if desired)", "Drop Triggers and Functions",
				"Drop Tables (child tables first)", "Drop Enumerated Types (optional if unused elsewhere)");
		assertThat(draft.yaml()).contains("DROP TABLE IF EXISTS chat_message;", "destructive: true")
			.contains("The document has no verify steps: the runbook needs them.");
	}

	@Test
	void checklistBlocksBecomeChecklistItemsWithInputsAndTheirPhase() throws IOException {
		MarkdownImport.Draft draft = MarkdownImport.of("memory", read("001-memory-schema-rls"));
		assertThat(draft.yaml()).contains("manual: Backup location", "label: Backup location", "manual: Backup verified",
				"- \"Yes\"", "- \"No\"", "manual: Stakeholders notified");
		assertThat(draft.yaml()).contains("SELECT COUNT(*) FROM pg_policies WHERE tablename='memory_chunks'");
	}

	@Test
	void aShellScriptsOwnTestBecomesTheChecksExpectationAndItsControlFlowNoStep() {
		MarkdownImport.Draft draft = MarkdownImport.of("memory", SeedDocuments.document("001-memory-schema-rls"));
		ParsedRunbook parsed = this.parser.parse("memory.yaml", draft.yaml());
		assertThat(parsed.runbook()).as(String.valueOf(parsed.problems())).isNotNull();
		Map<String, Step> verify = parsed.runbook().phases().verify().steps().stream()
			.collect(Collectors.toMap(Step::id, (step) -> step));
		// TABLE_COUNT=$(psql … -c "SELECT COUNT(*) …") then if [ "$TABLE_COUNT" -eq 0 ]
		assertThat(verify.get("verify-memory-chunks-table-removed").expect().equals()).isEqualTo(0);
		assertThat(verify.get("verify-indexes-removed").expect().equals()).isEqualTo(0);
		// The appendix ends with its own check ("-- Expected result: 0"): a check right after the step, not part of it.
		List<Step> execute = parsed.runbook().phases().execute().steps();
		assertThat(execute).extracting(Step::id).containsSubsequence("appendix-manual-rollback-sql", "appendix-manual-rollback-sql-check");
		assertThat(execute.get(execute.size() - 1).expect().equals()).isEqualTo(0);
		assertThat(execute.get(execute.size() - 2).sql()).doesNotContain("information_schema");
		assertThat(draft.yaml()).doesNotContain("Run )", "TABLE_COUNT=$(", "then\"");
		assertThat(parsed.runbook().migration().tool()).isEqualTo("alembic");
		assertThat(parsed.runbook().migration().id()).isEqualTo("20251019_memory_schema_rls");
		assertThat(draft.todos()).anyMatch((todo) -> todo.contains("`alembic downgrade`") && todo.contains("own record"));
		// "Data Recovery" restores the backup: its own phase, and an answer that takes it.
		assertThat(parsed.runbook().phases().restore().steps()).extracting(Step::displayTitle).contains("Verify restored state");
		assertThat(draft.yaml()).contains("outcome: ROLLBACK_AND_RESTORE");
	}

	@Test
	void listedValuesAreComparedAsOneValueAndTriggerParagraphsBecomeTriggers() {
		MarkdownImport.Draft draft = MarkdownImport.of("kb", SeedDocuments.document("002-knowledge-base-transformation"));
		ParsedRunbook parsed = this.parser.parse("kb.yaml", draft.yaml());
		assertThat(parsed.runbook()).as(String.valueOf(parsed.problems())).isNotNull();
		// "Should show: active, handed_over, closed" under SELECT unnest(enum_range(…)): the rows in order, as one value.
		assertThat(parsed.runbook().phases().verify().steps()).extracting((step) -> step.expect().equals())
			.containsExactly("active, handed_over, closed", "user, assistant, professional", "super_admin, professional, end_user");
		assertThat(parsed.runbook().phases().verify().steps()).last().extracting(Step::check)
			.isEqualTo("SELECT string_agg(value::text, ', ') FROM (SELECT unnest(enum_range(NULL::user_role))) AS result(value)");
		// "Only rollback if:" and "Do NOT rollback if:" are paragraphs, not headings.
		assertThat(parsed.runbook().triggers().rollbackIf()).hasSize(5).contains("Data corruption detected");
		assertThat(parsed.runbook().triggers().doNotRollbackIf()).hasSize(4).contains("Minor bugs that can be hotfixed");
		assertThat(parsed.runbook().phases().after().steps()).extracting(Step::displayTitle)
			.contains("Notify users: Send email about temporary rollback");
	}

	@Test
	void theScriptsADocumentRunsBecomeStepsWhereItsProcedureRunsThem() {
		String seed = "002-knowledge-base-transformation";
		MarkdownImport.Draft draft = MarkdownImport.of("kb", SeedDocuments.document(seed), SeedDocuments.scripts(seed));
		System.out.printf("Import %s with its scripts: %d of %d script runs landed%n", seed, draft.scriptsLanded(), draft.scriptsRun());
		ParsedRunbook parsed = this.parser.parse("kb.yaml", draft.yaml());
		assertThat(parsed.runbook()).as(String.valueOf(parsed.problems())).isNotNull();
		List<Step> execute = parsed.runbook().phases().execute().steps();
		// Step 3 runs them in reverse order; the "Usage" under each script's own heading describes it and is no step.
		assertThat(execute).filteredOn((step) -> step.sql() != null).extracting(Step::displayTitle).startsWith(
				"Rollback OAuth (012) (012_rollback_oauth.sql)", "Rollback Handover Removal (011) (011_rollback_handover.sql)",
				"Rollback Knowledge Base Transform (010) (010_rollback_knowledge_base.sql)");
		assertThat(draft.yaml()).contains("ALTER TYPE user_role RENAME VALUE 'kb_owner' TO 'professional'").doesNotContain("BEGIN;");
		assertThat(draft.scriptsLanded()).isEqualTo(3);
		// Option 3 runs two of them again: another way, listed for the author, not a second run.
		assertThat(draft.todos()).filteredOn((todo) -> todo.contains("again (already a step)")).hasSize(2);
		// Without the scripts, each run is a to-do.
		MarkdownImport.Draft without = MarkdownImport.of("kb", SeedDocuments.document(seed));
		assertThat(without.scriptsLanded()).isZero();
		assertThat(without.todos()).anyMatch((todo) -> todo.contains("runs database/migrations/rollback/012_rollback_oauth.sql: import the script"));
	}

	private static String read(String seed) throws IOException {
		try (InputStream in = MarkdownImportTests.class.getResourceAsStream("/seeds/" + seed + ".md")) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
