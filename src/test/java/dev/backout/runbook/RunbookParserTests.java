package dev.backout.runbook;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every validation rule, each with a runbook that breaks it.
 */
class RunbookParserTests {

	static final String VALID = """
			id: sample
			title: Sample rollback
			migration: { id: "42", tool: sql }
			risk: LOW
			summary: A small valid runbook.
			decision:
			  start: broken
			  questions:
			    - id: broken
			      ask: Is it broken?
			      answers:
			        - { answer: "Yes", outcome: ROLLBACK }
			        - { answer: "Only the index", outcome: PARTIAL, steps: [drop-index, index-gone] }
			        - { answer: "No", outcome: CONTINUE }
			authorization:
			  approvers: [TEAM_LEAD, CTO]
			phases:
			  execute:
			    steps:
			      - id: drop-index
			        title: Drop the index
			        sql: DROP INDEX IF EXISTS idx_things;
			      - id: drop-things
			        title: Drop the table
			        sql: DROP TABLE IF EXISTS things;
			        destructive: true
			        confirm: DROP things
			        countBefore: SELECT count(*) FROM things
			  verify:
			    steps:
			      - id: index-gone
			        title: Index gone
			        check: SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_things'
			        expect: { equals: 0 }
			""";

	private final RunbookParser parser = new RunbookParser();

	@Test
	void theSampleIsValidAndFullyRead() {
		ParsedRunbook parsed = parse(VALID);
		assertThat(parsed.problems()).isEmpty();
		Runbook runbook = parsed.runbook();
		assertThat(runbook.phases().execute().steps()).extracting(Step::id).containsExactly("drop-index", "drop-things");
		assertThat(runbook.step("drop-things")).hasValueSatisfying((step) -> {
			assertThat(step.destroysData()).isTrue();
			assertThat(step.confirm()).isEqualTo("DROP things");
			assertThat(step.kind()).isEqualTo(Step.Kind.SQL);
		});
		assertThat(runbook.authorization().describe())
			.isEqualTo("1 approval from Team lead or CTO; the commander cannot approve.");
	}

	@Test
	void yamlSyntaxErrorsNameLineAndColumn() {
		ParsedRunbook parsed = parse("id: sample\ntitle: [unclosed\nrisk: LOW\n");
		assertThat(parsed.runbook()).isNull();
		assertThat(parsed.errors()).singleElement().satisfies((p) -> {
			assertThat(p.file()).isEqualTo("sample.yaml");
			assertThat(p.line()).isEqualTo(3);
			assertThat(p.column()).isPositive();
			assertThat(p.message()).startsWith("YAML syntax:");
		});
	}

	@Test
	void aFileThatIsNotAMappingIsRefused() {
		assertThat(parse("- just\n- a list\n").errors()).singleElement()
			.satisfies((p) -> assertThat(p.message()).contains("is a YAML mapping"));
	}

	@Test
	void schemaViolationsNameTheFieldAndItsPosition() {
		ParsedRunbook parsed = parse(VALID.replace("risk: LOW", "risk: SCARY"));
		assertThat(parsed.errors()).singleElement().satisfies((p) -> {
			assertThat(p.line()).isEqualTo(4);
			assertThat(p.column()).isEqualTo(7);
			assertThat(p.message()).contains("/risk").contains("LOW");
		});
	}

	@Test
	void aSchemaErrorDoesNotHideTheRulesErrorsBehindIt() {
		// An unknown field (schema) and a check that writes (rule) in one file: both are reported at once.
		ParsedRunbook parsed = parse(VALID.replace("risk: LOW", "risk: LOW\nowner: db-team")
			.replace("check: SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_things'", "check: DELETE FROM things"));
		assertThat(messages(parsed)).anySatisfy((m) -> assertThat(m).contains("owner"))
			.anySatisfy((m) -> assertThat(m).startsWith("A check must be read-only"));
		assertThat(parsed.runbook()).isNull();
	}

	@Test
	void unknownFieldsAndMissingRequiredFieldsAreSchemaErrors() {
		assertThat(messages(parse(VALID.replace("summary: A small valid runbook.", "sumary: typo")))).anySatisfy(
				(m) -> assertThat(m).contains("sumary")).anySatisfy((m) -> assertThat(m).contains("summary"));
	}

	@Test
	void aStepHasExactlyOneKind() {
		String both = VALID.replace("        sql: DROP INDEX IF EXISTS idx_things;",
				"        sql: DROP INDEX IF EXISTS idx_things;\n        check: SELECT 1");
		assertThat(parse(both).errors()).isNotEmpty().allSatisfy((p) -> assertThat(p.message()).contains("/phases/execute/steps/0"));
	}

	@Test
	void aDestructiveStepNeedsAConfirmText() {
		assertThat(messages(parse(VALID.replace("        confirm: DROP things\n", "")))).anySatisfy(
				(m) -> assertThat(m).contains("confirm"));
	}

	@Test
	void aPartialOutcomeMustNameItsSteps() {
		assertThat(messages(parse(VALID.replace(", steps: [drop-index, index-gone]", "")))).anySatisfy(
				(m) -> assertThat(m).contains("steps"));
	}

	@Test
	void everyAnswerLeadsToAQuestionOrAnOutcome() {
		assertThat(parse(VALID.replace("{ answer: \"No\", outcome: CONTINUE }", "{ answer: \"No\" }")).errors())
			.isNotEmpty();
	}

	@Test
	void stepIdsAreUnique() {
		assertThat(messages(parse(VALID.replace("id: drop-things", "id: drop-index"))))
			.contains("Step id 'drop-index' is used twice; step ids must be unique.");
	}

	@Test
	void questionIdsAreUnique() {
		String twice = VALID.replace("""
				        - { answer: "No", outcome: CONTINUE }
				""", """
				        - { answer: "No", outcome: CONTINUE }
				    - id: broken
				      ask: Again?
				      answers:
				        - { answer: "Yes", outcome: ROLLBACK }
				        - { answer: "No", outcome: CONTINUE }
				""");
		assertThat(messages(parse(twice))).contains("Question id 'broken' is used twice.");
	}

	@Test
	void theStartMustBeAQuestion() {
		assertThat(messages(parse(VALID.replace("start: broken", "start: nowhere"))))
			.contains("The decision starts at 'nowhere', which is not a question.");
	}

	@Test
	void nextMustNameAQuestion() {
		ParsedRunbook parsed = parse(VALID.replace("{ answer: \"No\", outcome: CONTINUE }", "{ answer: \"No\", next: missing }"));
		assertThat(parsed.errors()).singleElement().satisfies((p) -> {
			assertThat(p.message()).isEqualTo("Answer 'No' leads to 'missing', which is not a question.");
			assertThat(p.line()).isEqualTo(14);
		});
	}

	@Test
	void theDecisionTreeMayNotLoop() {
		String loop = VALID.replace("{ answer: \"No\", outcome: CONTINUE }", "{ answer: \"No\", next: again }")
			.replace("authorization:", """
					    - id: again
					      ask: Sure?
					      answers:
					        - { answer: "Yes", next: broken }
					        - { answer: "No", outcome: FIX_FORWARD }
					authorization:""");
		assertThat(messages(parse(loop))).anySatisfy(
				(m) -> assertThat(m).startsWith("The decision tree loops (broken → again → broken)"));
	}

	@Test
	void unreachableQuestionsAreWarnedAbout() {
		String orphan = VALID.replace("authorization:", """
				    - id: orphan
				      ask: Never asked?
				      answers:
				        - { answer: "Yes", outcome: ROLLBACK }
				        - { answer: "No", outcome: CONTINUE }
				authorization:""");
		ParsedRunbook parsed = parse(orphan);
		assertThat(parsed.isValid()).isTrue();
		assertThat(parsed.warnings()).extracting(RunbookProblem::message)
			.containsExactly("Question 'orphan' cannot be reached from the start.");
	}

	@Test
	void partialMustNameExistingSteps() {
		assertThat(messages(parse(VALID.replace("steps: [drop-index, index-gone]", "steps: [drop-index, no-such-step]"))))
			.contains("PARTIAL outcome of 'Only the index' names step 'no-such-step', which does not exist.");
	}

	@Test
	void partialChoosesOnlyBackupExecuteAndVerifySteps() {
		String precheck = VALID.replace("phases:\n", """
				phases:
				  precheck:
				    steps:
				      - { id: frozen, manual: Writes frozen }
				""").replace("steps: [drop-index, index-gone]", "steps: [frozen, index-gone]");
		assertThat(messages(parse(precheck))).anySatisfy((m) -> assertThat(m).contains("names step 'frozen' of the precheck phase"));
	}

	@Test
	void optionalStepsNamedByNoPartialOutcomeAreWarnedAbout() {
		ParsedRunbook parsed = parse(VALID.replace("        title: Drop the table\n", "        title: Drop the table\n        optional: true\n"));
		assertThat(parsed.warnings()).extracting(RunbookProblem::message)
			.containsExactly("Optional step 'drop-things' is named by no PARTIAL outcome, so it never runs.");
	}

	@Test
	void theVerifyPhaseNeedsACheck() {
		String noCheck = VALID.replace("""
				      - id: index-gone
				        title: Index gone
				        check: SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_things'
				        expect: { equals: 0 }
				""", """
				      - id: index-gone
				        manual: Looked at the indexes
				""");
		assertThat(messages(parse(noCheck)))
			.contains("The verify phase needs at least one check: a rollback must prove its result.");
	}

	@Test
	void destroyingDataWithoutBeingMarkedDestructiveIsRefused() {
		ParsedRunbook parsed = parse(VALID.replace("sql: DROP INDEX IF EXISTS idx_things;",
				"sql: DROP INDEX IF EXISTS idx_things; TRUNCATE things;"));
		assertThat(parsed.errors()).singleElement().satisfies((p) -> {
			assertThat(p.message()).startsWith("Step 'drop-index' destroys data (TRUNCATE: TRUNCATE things)");
			assertThat(p.line()).isEqualTo(22);
		});
	}

	@Test
	void destructiveWordsInCommentsAndStringsAreNotStatements() {
		ParsedRunbook parsed = parse(VALID.replace("sql: DROP INDEX IF EXISTS idx_things;", """
				sql: |
				          -- DROP TABLE things; would be wrong here
				          /* TRUNCATE things */
				          UPDATE notes SET text = 'DROP TABLE things; DELETE FROM things' WHERE id = 1;
				          DROP INDEX IF EXISTS idx_things;"""));
		assertThat(parsed.problems()).isEmpty();
	}

	@Test
	void scriptsMayNotControlTheirOwnTransaction() {
		ParsedRunbook parsed = parse(VALID.replace("sql: DROP INDEX IF EXISTS idx_things;",
				"sql: BEGIN; DROP INDEX IF EXISTS idx_things; COMMIT;"));
		assertThat(parsed.errors()).extracting(RunbookProblem::message)
			.hasSize(2)
			.allSatisfy((m) -> assertThat(m).contains("transactions are the console's job"));
	}

	@Test
	void statementsThatCannotRunInATransactionNeedTransactionFalse() {
		String concurrently = VALID.replace("sql: DROP INDEX IF EXISTS idx_things;",
				"sql: DROP INDEX CONCURRENTLY IF EXISTS idx_things;");
		assertThat(messages(parse(concurrently))).anySatisfy((m) -> assertThat(m).contains("set transaction: false"));
		String marked = concurrently.replace("        title: Drop the index\n", "        title: Drop the index\n        transaction: false\n");
		assertThat(parse(marked).problems()).isEmpty();
	}

	@Test
	void dropWithoutIfExistsIsAWarning() {
		ParsedRunbook parsed = parse(VALID.replace("DROP TABLE IF EXISTS things", "DROP TABLE things"));
		assertThat(parsed.isValid()).isTrue();
		assertThat(parsed.warnings()).extracting(RunbookProblem::message)
			.containsExactly("'DROP TABLE things' has no IF EXISTS: it fails if the object is already gone, e.g. on a retry.");
	}

	@Test
	void checksMustBeOneReadOnlyQuery() {
		assertThat(messages(parse(VALID.replace("check: SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_things'",
				"check: DELETE FROM things WHERE id = 1 RETURNING id"))))
			.anySatisfy((m) -> assertThat(m).startsWith("A check must be read-only queries"));
		assertThat(messages(parse(VALID.replace("countBefore: SELECT count(*) FROM things",
				"countBefore: SELECT 1; SELECT 2"))))
			.anySatisfy((m) -> assertThat(m).startsWith("A countBefore must be exactly one read-only query"));
	}

	/** A verify script as a migration tool writes it: several read-only statements that raise an error when wrong. */
	@Test
	void aCheckMayHoldSeveralReadOnlyQueriesAndExpectThemToSucceedOrFail() {
		ParsedRunbook parsed = parse(VALID.replace("check: SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_things'",
				"check: \"SELECT id FROM things WHERE false; SELECT 1/count(*) FROM pg_indexes WHERE indexname = 'idx_things'\"\n        expect: { succeeds: true }")
			.replace("        expect: { equals: 0 }\n", ""));
		assertThat(messages(parsed)).isEmpty();
		assertThat(parsed.runbook().step("index-gone").orElseThrow().expect().aboutErrors()).isTrue();
		assertThat(messages(parse(VALID.replace("check: SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_things'",
				"check: \"SELECT 1; SELECT pg_terminate_backend(1)\""))))
			.anySatisfy((m) -> assertThat(m).contains("pg_terminate_backend acts even in a READ ONLY transaction"));
	}

	@Test
	void theHashIgnoresFormattingAndCommentsButNotContent() {
		String reformatted = "# a comment\n" + VALID.replace("risk: LOW", "risk:    LOW   # low indeed");
		assertThat(parse(reformatted).hash()).isEqualTo(parse(VALID).hash());
		assertThat(parse(VALID.replace("risk: LOW", "risk: HIGH")).hash()).isNotEqualTo(parse(VALID).hash());
	}

	private ParsedRunbook parse(String yaml) {
		return this.parser.parse("sample.yaml", yaml);
	}

	private static List<String> messages(ParsedRunbook parsed) {
		return parsed.problems().stream().map(RunbookProblem::message).toList();
	}

}
