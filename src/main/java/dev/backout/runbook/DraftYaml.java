package dev.backout.runbook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** Writes an imported draft: its to-dos as comments at the top, then the runbook, SQL as literal blocks. */
final class DraftYaml {

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(YAMLWriteFeature.MINIMIZE_QUOTES)
		.enable(YAMLWriteFeature.LITERAL_BLOCK_STYLE)
		.enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
		.disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
		.build();

	private DraftYaml() {
	}

	static String write(String from, Map<String, Object> runbook, List<String> todos) {
		StringBuilder yaml = new StringBuilder("# Draft imported from " + from + ". To do before use:\n");
		todos.forEach((todo) -> yaml.append("# - ").append(todo.replace("\n", " ")).append('\n'));
		return yaml.append(YAML.writeValueAsString(runbook)).toString();
	}

	/** A map that keeps the order it is written in, as people read YAML. */
	static Map<String, Object> ordered(Object... keysAndValues) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put((String) keysAndValues[i], keysAndValues[i + 1]);
		}
		return map;
	}

	/** A script's statements without BEGIN, COMMIT and friends: the console owns transactions. */
	static List<SqlStatement> withoutTransactionControl(String script) {
		return SqlScript.statements(script).stream().filter((statement) -> !statement.isTransactionControl()).toList();
	}

	static String join(List<SqlStatement> statements) {
		return String.join(";\n", statements.stream().map((statement) -> statement.text().strip()).toList()) + ";";
	}

	/**
	 * A SQL step marked as its statements require: destructive (with {@code confirm} and a to-do for
	 * its countBefore), outside a transaction, dynamic.
	 */
	static Map<String, Object> sqlStep(String id, String title, List<SqlStatement> statements, String confirm, List<String> todos) {
		Map<String, Object> step = ordered("id", id, "title", title, "sql", join(statements));
		if (statements.stream().anyMatch((statement) -> statement.destruction().isPresent())) {
			step.put("destructive", true);
			step.put("confirm", confirm);
			todos.add("\"" + title + "\" destroys data: check its confirmation phrase and add a countBefore query so the commander "
					+ "sees what is at stake.");
		}
		if (statements.stream().anyMatch(SqlStatement::requiresNoTransaction)) {
			step.put("transaction", false);
		}
		if (statements.stream().anyMatch(SqlStatement::isDynamic)) {
			step.put("dynamicSql", true);
			todos.add("\"" + title + "\" decides what it does when it runs (DO, EXECUTE): read it closely.");
		}
		return step;
	}

	/** The runbook a tool's rollback becomes: one question (do it?), the usual approvers, its three phases. */
	static Map<String, Object> revertRunbook(String id, String title, Map<String, Object> migration, String summary, String ask,
			List<Map<String, Object>> prechecks, List<Map<String, Object>> execute, List<Map<String, Object>> verify) {
		Map<String, Object> runbook = new LinkedHashMap<>();
		runbook.put("id", id);
		runbook.put("title", title);
		runbook.put("migration", migration);
		runbook.put("risk", "MEDIUM");
		runbook.put("summary", summary);
		runbook.put("decision", ordered("start", "revert", "questions", List.of(ordered("id", "revert", "ask", ask, "answers",
				List.of(ordered("answer", "Yes", "outcome", "ROLLBACK"), ordered("answer", "No", "outcome", "FIX_FORWARD"))))));
		runbook.put("authorization", ordered("approvers", List.of("TEAM_LEAD", "CTO"), "deadline", "30m"));
		Map<String, Object> phases = new LinkedHashMap<>();
		if (!prechecks.isEmpty()) {
			phases.put("precheck", Map.of("steps", prechecks));
		}
		phases.put("execute", Map.of("steps", execute));
		phases.put("verify", Map.of("steps", verify));
		runbook.put("phases", phases);
		return runbook;
	}

	/** A SQL string literal. */
	static String literal(String value) {
		return "'" + value.replace("'", "''") + "'";
	}

	/** A step id from any text. */
	static String slug(String text) {
		return text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
	}

}
