package dev.backout.execution;

import dev.backout.runbook.Runbook;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Small runbooks written inline for execution tests (the seed runbooks are tested on the demo target).
 */
public final class ExecutionTestRunbooks {

	/** One transactional step inserting one row into a table {@code counter (n int)}. */
	public static final String INSERT_ROW = """
			      - id: insert-row
			        title: Insert a row
			        sql: INSERT INTO counter (n) VALUES (1);
			""";

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	private ExecutionTestRunbooks() {
	}

	/** A runbook whose execute phase is {@code executeSteps} (YAML list items, indented by 6). */
	public static Runbook withSteps(String executeSteps) {
		String yaml = """
				id: execution-test
				title: Execution test
				migration: { id: "1", tool: sql }
				risk: LOW
				summary: test
				decision:
				  start: q
				  questions:
				    - id: q
				      ask: Roll back?
				      answers:
				        - { answer: "Yes", outcome: ROLLBACK }
				        - { answer: "No", outcome: CONTINUE }
				authorization:
				  approvers: [TEAM_LEAD]
				phases:
				  execute:
				    steps:
				%s
				  verify:
				    steps:
				      - id: verified
				        title: Verified
				        check: SELECT 1
				        expect: { equals: 1 }
				""".formatted(executeSteps);
		return JsonMapper.builder().build().treeToValue(YAML.readTree(yaml), Runbook.class);
	}

}
