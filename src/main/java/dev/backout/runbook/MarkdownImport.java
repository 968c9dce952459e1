package dev.backout.runbook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;

/**
 * Turns a hand-written rollback document (Markdown, like the seeds) into a draft runbook: fenced
 * SQL becomes steps or checks in the phase its heading names, {@code psql -c "…"} in shell blocks
 * too, other shell commands become checklist items, {@code [ ]} items become checklist items (with
 * an input where the text leaves a blank), "Expected: …" becomes a check's expectation, and "roll
 * back if / do not roll back if" lists become triggers. What cannot be mapped is listed as a to-do
 * in the draft, never dropped. The draft is text for a person to finish, never saved by itself.
 */
public final class MarkdownImport {

	private static final Parser MARKDOWN = Parser.builder().build();

	private static final Pattern PSQL_COMMAND = Pattern.compile("psql\\b[^\\n]*?-c\\s+(\"((?:[^\"\\\\]|\\\\.)*)\"|'([^']*)')",
			Pattern.DOTALL);

	private static final Pattern HEREDOC = Pattern.compile("psql\\b[^\\n]*<<-?\\s*'?(\\w+)'?[^\\n]*\\n(.*?)\\n\\s*\\1\\s*(?:\\n|$)",
			Pattern.DOTALL);

	private static final Pattern CHECKBOX = Pattern.compile("^(\\s*)(?:[-*]\\s+)?\\[[ xX]\\]\\s*(.+)$");

	private static final Pattern EXPECTED = Pattern.compile("(?i)(?:expected|should (?:see|show|return))\\s*:?\\s*(.+)");

	private static final Pattern BLANK = Pattern.compile("^(.*?):?\\s*_{3,}.*$");

	private static final Pattern OPTIONS = Pattern.compile("^(.*?):\\s*((?:\\[ \\]\\s*[^\\[]+)+)$");

	private static final List<String> SQL_STARTS = List.of("SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "DROP", "ALTER",
			"CREATE", "TRUNCATE", "BEGIN", "COMMIT", "DO", "GRANT", "REVOKE", "COMMENT", "SET", "--", "VACUUM", "REINDEX", "ANALYZE");

	private MarkdownImport() {
	}

	/**
	 * @param yaml the draft runbook, with the to-dos as comments at its top
	 * @param sqlBlocks SQL found (fenced SQL blocks and psql commands), {@code sqlLanded} how many are steps or checks
	 * @param checkboxes checklist items found, {@code checkboxesLanded} how many are checklist items
	 */
	public record Draft(String yaml, List<String> todos, int sqlBlocks, int sqlLanded, int checkboxes, int checkboxesLanded) {
	}

	/** Where the document is: a phase of the runbook, or a part with no steps of its own. */
	private enum Section {

		PRECHECK, BACKUP, EXECUTE, VERIFY, RESTORE, AFTER, TRIGGERS_ROLLBACK, TRIGGERS_STAY, TROUBLESHOOTING, ASIDE;

		PhaseName phase() {
			return switch (this) {
				case PRECHECK -> PhaseName.PRECHECK;
				case BACKUP -> PhaseName.BACKUP;
				case VERIFY -> PhaseName.VERIFY;
				case RESTORE -> PhaseName.RESTORE;
				case AFTER -> PhaseName.AFTER;
				default -> PhaseName.EXECUTE;
			};
		}

		static Section of(String heading, Section current) {
			String h = heading.toLowerCase(Locale.ROOT);
			if (h.contains("troubleshoot") || h.startsWith("issue")) {
				return TROUBLESHOOTING;
			}
			if (h.contains("do not roll") || h.contains("don't roll") || h.contains("not to roll") || h.startsWith("fix forward if")) {
				return TRIGGERS_STAY;
			}
			if (h.contains("roll back if") || h.contains("rollback if") || h.contains("when to roll")) {
				return TRIGGERS_ROLLBACK;
			}
			if (h.contains("scenario") || h.contains("test") || h.contains("what the rollback does") || h.contains("analysis")
					|| h.contains("lesson") || h.contains("recommendation") || h.contains("inventory") || h.contains("risk")
					|| h.contains("contact") || h.contains("escalation") || h.contains("related") || h.contains(" vs")) {
				return ASIDE;
			}
			if (h.startsWith("pre") || h.contains("pre-rollback") || h.contains("precondition") || h.contains("prerequisite")
					|| h.contains("before")) {
				return PRECHECK;
			}
			if (h.contains("backup") && !h.contains("restore")) {
				return BACKUP;
			}
			if (h.contains("verif") || h.contains("validation") || h.contains("check")) {
				return VERIFY;
			}
			if (h.contains("restore") && (h.contains("backup") || h.contains("database") || h.contains("full"))) {
				return RESTORE;
			}
			if (h.contains("post") || h.contains("after") || h.contains("follow") || h.contains("restart") || h.contains("monitor")) {
				return AFTER;
			}
			if (h.contains("rollback") || h.contains("roll back") || h.contains("step") || h.contains("execute")
					|| h.contains("procedure") || h.contains("script") || h.contains("restore") || h.contains("option")) {
				return EXECUTE;
			}
			return current;
		}

	}

	private static boolean indentedCheckbox(String line) {
		Matcher box = CHECKBOX.matcher(line);
		return box.matches() && !box.group(1).isEmpty();
	}

	public static Draft of(String id, String markdown) {
		Builder builder = new Builder();
		Node document = MARKDOWN.parse(markdown);
		document.accept(builder);
		return builder.draft(id);
	}

	private static final class Builder extends AbstractVisitor {

		private final Map<PhaseName, List<Map<String, Object>>> phases = new LinkedHashMap<>();

		private final List<String> rollbackIf = new ArrayList<>();

		private final List<String> stayIf = new ArrayList<>();

		private final List<Map<String, Object>> troubleshooting = new ArrayList<>();

		private final List<String> todos = new ArrayList<>();

		private final Map<String, Integer> ids = new LinkedHashMap<>();

		private String title;

		private String label = "Step";

		private Section section = Section.EXECUTE;

		/** The level of the heading that started an aside, or 0. */
		private int asideLevel;

		private Map<String, Object> lastCheck;

		private int sqlBlocks;

		private int sqlLanded;

		private int checkboxes;

		private int checkboxesLanded;

		@Override
		public void visit(Heading heading) {
			String text = text(heading);
			if (heading.getLevel() == 1 && this.title == null) {
				this.title = text;
				return;
			}
			// Under an aside (tested scenarios, what a script does), sub-headings stay asides.
			if (this.asideLevel == 0 || heading.getLevel() <= this.asideLevel) {
				this.section = Section.of(text, this.section);
				this.asideLevel = (this.section == Section.ASIDE) ? heading.getLevel() : 0;
			}
			this.label = text;
			this.lastCheck = null;
			if (this.section == Section.TROUBLESHOOTING && heading.getLevel() >= 3) {
				this.troubleshooting.add(new LinkedHashMap<>(Map.of("problem", text, "solution", "")));
			}
		}

		@Override
		public void visit(ListItem item) {
			Node first = item.getFirstChild();
			String text = (first instanceof Paragraph) ? text(first) : "";
			if (!text.isBlank()) {
				Matcher box = CHECKBOX.matcher(text);
				if (box.matches()) {
					checkbox(box.group(2).trim());
				}
				else if (this.section == Section.TRIGGERS_ROLLBACK) {
					this.rollbackIf.add(text);
				}
				else if (this.section == Section.TRIGGERS_STAY) {
					this.stayIf.add(text);
				}
				else {
					this.label = text.replaceAll("[:.]\\s*$", "");
				}
			}
			visitChildren(item);
		}

		@Override
		public void visit(Paragraph paragraph) {
			String text = text(paragraph);
			Matcher expected = EXPECTED.matcher(text);
			if (this.lastCheck != null && expected.find()) {
				expect(expected.group(1));
			}
			if (this.section == Section.TROUBLESHOOTING && !this.troubleshooting.isEmpty()) {
				appendSolution(text);
			}
			visitChildren(paragraph);
		}

		@Override
		public void visit(FencedCodeBlock block) {
			code(block.getInfo(), block.getLiteral());
		}

		@Override
		public void visit(IndentedCodeBlock block) {
			code("", block.getLiteral());
		}

		private void code(String info, String literal) {
			String language = (info == null) ? "" : info.trim().toLowerCase(Locale.ROOT);
			String body = literal.strip();
			if (body.isEmpty()) {
				return;
			}
			if (language.matches("sql|postgres(ql)?|pgsql|plpgsql|psql")
					|| (language.isEmpty() && SQL_STARTS.stream().anyMatch((start) -> body.toUpperCase(Locale.ROOT).startsWith(start)))) {
				this.sqlBlocks++;
				sql(body, this.label);
			}
			else if (language.matches("bash|sh|shell|console|zsh") || body.contains("psql ")) {
				shell(body);
			}
			else if (body.lines().anyMatch((line) -> CHECKBOX.matcher(line).matches())) {
				checklist(body);
			}
			else {
				this.todos.add("Under \"" + this.label + "\", a block that is neither SQL nor commands (output?): "
						+ firstLine(body));
			}
		}

		/** SQL: a check when it only reads, else a step; in an aside or troubleshooting, kept where it belongs. */
		private void sql(String sql, String name) {
			if (this.section == Section.TROUBLESHOOTING && !this.troubleshooting.isEmpty()) {
				appendSolution(sql);
				this.sqlLanded++;
				return;
			}
			if (this.section == Section.ASIDE || this.section == Section.TRIGGERS_ROLLBACK || this.section == Section.TRIGGERS_STAY) {
				this.todos.add("SQL under \"" + this.label + "\" (an example or description, not a step?): " + firstLine(sql));
				return;
			}
			if (sql.lines().anyMatch((line) -> line.strip().startsWith("\\"))) {
				this.todos.add("psql meta-command under \"" + name + "\" (write it as a query): " + firstLine(sql));
				return;
			}
			List<SqlStatement> statements;
			try {
				statements = SqlScript.statements(sql);
			}
			catch (RuntimeException unreadable) {
				this.todos.add("SQL under \"" + name + "\" that the console cannot split: " + firstLine(sql));
				return;
			}
			List<SqlStatement> kept = statements.stream().filter((statement) -> !statement.isTransactionControl()).toList();
			if (kept.size() < statements.size()) {
				this.todos.add("\"" + name + "\": BEGIN/COMMIT removed; the console runs each step in a transaction of its own.");
			}
			if (kept.isEmpty()) {
				return;
			}
			String id = id(name);
			boolean reads = kept.stream().allMatch(SqlStatement::isReadOnlyQuery);
			Map<String, Object> step;
			if (reads) {
				step = DraftYaml.ordered("id", id, "title", name, "check", DraftYaml.join(kept));
				this.lastCheck = step;
			}
			else {
				step = DraftYaml.sqlStep(id, name, kept, "RUN " + id, this.todos);
				this.lastCheck = null;
			}
			steps(reads && this.section == Section.EXECUTE ? PhaseName.VERIFY : this.section.phase()).add(step);
			this.sqlLanded++;
		}

		/** Shell: each {@code psql -c} is SQL; every other command a checklist item saying to run it. */
		private void shell(String body) {
			if (this.section == Section.TROUBLESHOOTING && !this.troubleshooting.isEmpty()) {
				appendSolution(body);
				return;
			}
			if (this.section == Section.ASIDE) {
				this.todos.add("Commands under \"" + this.label + "\" (an example or description, not a step?): " + firstLine(body));
				return;
			}
			Matcher heredoc = HEREDOC.matcher(body);
			if (heredoc.find()) {
				// psql … <<'EOF' … EOF: the lines between are SQL; the commands around it are read as usual.
				this.sqlBlocks++;
				sql(heredoc.group(2).strip(), Optional.ofNullable(lastComment(body.substring(0, heredoc.start()))).orElse(this.label));
				body = body.substring(0, heredoc.start()) + body.substring(heredoc.end());
			}
			String joined = body.replace("\\\n", " ");
			Matcher psql = PSQL_COMMAND.matcher(joined);
			String comment = null;
			int consumed = 0;
			List<String> commands = new ArrayList<>();
			while (psql.find()) {
				commands.add(joined.substring(consumed, psql.start()));
				String sql = (psql.group(2) != null) ? psql.group(2).replace("\\\"", "\"") : psql.group(3);
				String before = joined.substring(0, psql.start());
				comment = lastComment(before);
				this.sqlBlocks++;
				sql(sql.strip(), (comment != null) ? comment : this.label);
				String after = joined.substring(psql.end());
				String nextLine = after.lines().skip(1).findFirst().orElse("");
				Matcher expected = EXPECTED.matcher(nextLine.replaceFirst("^\\s*#\\s*", ""));
				if (this.lastCheck != null && expected.matches()) {
					expect(expected.group(1));
				}
				consumed = psql.end();
			}
			commands.add(joined.substring(consumed));
			for (String chunk : commands) {
				String lastTitle = null;
				for (String line : chunk.lines().toList()) {
					String trimmed = line.strip();
					if (trimmed.startsWith("#")) {
						lastTitle = trimmed.replaceFirst("^#+\\s*(\\d+\\.\\s*)?", "");
						continue;
					}
					if (trimmed.isEmpty() || trimmed.startsWith("echo") || trimmed.matches("(fi|then|else|done|set -e.*|exit.*)")
							|| trimmed.startsWith("\"") || trimmed.startsWith("|") || trimmed.startsWith("||")) {
						continue;
					}
					if (SQL_STARTS.stream().filter((start) -> !start.equals("--")).anyMatch((start) -> trimmed.toUpperCase(Locale.ROOT)
						.startsWith(start + " ")) && trimmed.endsWith(";")) {
						// SQL typed at a psql prompt, written into the shell block.
						this.sqlBlocks++;
						sql(trimmed, (lastTitle != null) ? lastTitle : this.label);
						lastTitle = null;
						continue;
					}
					if (trimmed.startsWith("psql") || trimmed.contains("$(psql")) {
						this.todos.add("Under \"" + this.label + "\", a psql command the importer cannot read: " + trimmed);
						continue;
					}
					Map<String, Object> item = new LinkedHashMap<>();
					String what = (lastTitle != null && !lastTitle.startsWith("!")) ? lastTitle + " (" + trimmed + ")" : "Run " + trimmed;
					item.put("id", id(what));
					item.put("manual", what);
					steps(this.section.phase()).add(item);
					lastTitle = null;
				}
			}
		}

		/** A block of {@code [ ]} lines: the unindented ones name a phase, the rest are checklist items. */
		private void checklist(String body) {
			Section saved = this.section;
			for (String line : body.lines().toList()) {
				Matcher box = CHECKBOX.matcher(line);
				if (!box.matches()) {
					continue;
				}
				String text = box.group(2).trim();
				if (box.group(1).isEmpty() && body.lines().anyMatch(MarkdownImport::indentedCheckbox)) {
					this.section = Section.of(text, this.section);
					if (this.section == Section.ASIDE || this.section == Section.EXECUTE && text.toLowerCase(Locale.ROOT).contains("complete")) {
						this.section = Section.AFTER;
					}
				}
				checkbox(text);
			}
			this.section = saved;
		}

		private void checkbox(String text) {
			this.checkboxes++;
			Map<String, Object> item = new LinkedHashMap<>();
			Matcher options = OPTIONS.matcher(text);
			Matcher blank = BLANK.matcher(text);
			String what = text;
			if (options.matches()) {
				what = options.group(1).strip();
				List<String> choices = List.of(options.group(2).split("\\[ \\]")).stream().map(String::strip).filter((c) -> !c.isEmpty()).toList();
				item.put("inputs", List.of(DraftYaml.ordered("name", inputName(what), "label", what, "options", choices)));
			}
			else if (blank.matches()) {
				what = blank.group(1).strip();
				item.put("inputs", List.of(DraftYaml.ordered("name", inputName(what), "label", what)));
			}
			item.put("id", id(what));
			item.put("manual", what);
			// Keep the order id, manual, inputs for people reading the draft.
			Map<String, Object> ordered = new LinkedHashMap<>();
			ordered.put("id", item.get("id"));
			ordered.put("manual", item.get("manual"));
			if (item.containsKey("inputs")) {
				ordered.put("inputs", item.get("inputs"));
			}
			steps(this.section.phase()).add(ordered);
			this.checkboxesLanded++;
		}

		private void expect(String said) {
			String value = said.strip().replaceAll("[.)]*$", "").replaceAll("^\\(", "");
			Matcher rows = Pattern.compile("(?i)(\\d+)\\s+rows?").matcher(value);
			if (value.matches("-?\\d+(\\.\\d+)?")) {
				this.lastCheck.put("expect", Map.of("equals", Long.parseLong(value.replaceAll("\\..*", ""))));
			}
			else if (rows.matches()) {
				this.lastCheck.put("expect", rows.group(1).equals("0") ? Map.of("empty", true) : Map.of("nonEmpty", true));
				if (!rows.group(1).equals("0")) {
					this.todos.add("\"" + this.lastCheck.get("title") + "\": expected " + value + "; the draft only asks for some rows.");
				}
			}
			else if (value.toLowerCase(Locale.ROOT).startsWith("no ")) {
				this.lastCheck.put("expect", Map.of("empty", true));
			}
			else {
				this.todos.add("\"" + this.lastCheck.get("title") + "\": the document expects \"" + value
						+ "\"; write it as an expectation.");
			}
			this.lastCheck = null;
		}

		private void appendSolution(String text) {
			Map<String, Object> entry = this.troubleshooting.get(this.troubleshooting.size() - 1);
			String solution = (String) entry.get("solution");
			entry.put("solution", solution.isEmpty() ? text : solution + "\n" + text);
		}

		private List<Map<String, Object>> steps(PhaseName phase) {
			return this.phases.computeIfAbsent(phase, (p) -> new ArrayList<>());
		}

		private String id(String text) {
			String base = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
			base = base.isEmpty() ? "step" : base.substring(0, Math.min(40, base.length())).replaceAll("-+$", "");
			int seen = this.ids.merge(base, 1, Integer::sum);
			return (seen == 1) ? base : base + "-" + seen;
		}

		private static String inputName(String label) {
			String[] words = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 ]", " ").trim().split("\\s+");
			StringBuilder name = new StringBuilder(words[0].isEmpty() ? "value" : words[0]);
			for (int i = 1; i < Math.min(words.length, 4); i++) {
				name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
			}
			return name.toString().matches("[a-z].*") ? name.toString() : "value" + name;
		}

		private static String lastComment(String before) {
			List<String> lines = before.lines().toList();
			for (int i = lines.size() - 1; i >= 0 && i >= lines.size() - 3; i--) {
				String line = lines.get(i).strip();
				if (line.startsWith("#") && !line.startsWith("#!")) {
					return line.replaceFirst("^#+\\s*(\\d+\\.\\s*)?", "");
				}
			}
			return null;
		}

		private static String firstLine(String text) {
			String line = text.strip().lines().findFirst().orElse("");
			return (line.length() > 120) ? line.substring(0, 117) + "…" : line;
		}

		private static String text(Node node) {
			StringBuilder text = new StringBuilder();
			node.accept(new AbstractVisitor() {
				@Override
				public void visit(Text t) {
					text.append(t.getLiteral());
				}

				@Override
				public void visit(Code code) {
					text.append(code.getLiteral());
				}

				@Override
				public void visit(SoftLineBreak br) {
					text.append(' ');
				}

				@Override
				public void visit(org.commonmark.node.BulletList list) {
					// nested lists are list items of their own
				}

				@Override
				public void visit(org.commonmark.node.OrderedList list) {
				}
			});
			return text.toString().strip();
		}

		Draft draft(String id) {
			Map<String, Object> runbook = new LinkedHashMap<>();
			runbook.put("id", id);
			runbook.put("title", (this.title != null) ? this.title : id);
			Map<String, Object> migration = new LinkedHashMap<>();
			migration.put("id", "TODO");
			migration.put("tool", "sql");
			runbook.put("migration", migration);
			runbook.put("risk", "MEDIUM");
			runbook.put("summary", "Imported from a rollback document; review every step before use.");
			Map<String, Object> triggers = new LinkedHashMap<>();
			if (!this.rollbackIf.isEmpty()) {
				triggers.put("rollbackIf", this.rollbackIf);
			}
			if (!this.stayIf.isEmpty()) {
				triggers.put("doNotRollbackIf", this.stayIf);
			}
			if (!triggers.isEmpty()) {
				runbook.put("triggers", triggers);
			}
			runbook.put("decision", DraftYaml.ordered("start", "roll-back", "questions", List.of(DraftYaml.ordered("id", "roll-back", "ask",
					"Roll back now?", "answers", List.of(DraftYaml.ordered("answer", "Yes", "outcome", "ROLLBACK"),
							DraftYaml.ordered("answer", "No", "outcome", "FIX_FORWARD"))))));
			this.todos.add(0, "The decision is a draft with one question: write the document's criteria as questions.");
			this.todos.add(1, "migration.id and migration.tool are placeholders: name the migration this runbook reverts.");
			runbook.put("authorization", DraftYaml.ordered("approvers", List.of("TEAM_LEAD", "CTO"), "deadline", "30m"));
			Map<String, Object> phases = new LinkedHashMap<>();
			for (PhaseName phase : PhaseName.values()) {
				List<Map<String, Object>> steps = this.phases.get(phase);
				if (steps != null && !steps.isEmpty()) {
					phases.put(phase.name().toLowerCase(Locale.ROOT), Map.of("steps", steps));
				}
			}
			for (PhaseName required : List.of(PhaseName.EXECUTE, PhaseName.VERIFY)) {
				if (!phases.containsKey(required.name().toLowerCase(Locale.ROOT))) {
					this.todos.add("The document has no " + required.name().toLowerCase(Locale.ROOT) + " steps: the runbook needs them.");
				}
			}
			runbook.put("phases", phases);
			List<Map<String, Object>> entries = this.troubleshooting.stream().filter((t) -> !((String) t.get("solution")).isBlank()).toList();
			if (!entries.isEmpty()) {
				runbook.put("troubleshooting", entries);
			}
			return new Draft(DraftYaml.write("a Markdown rollback document", runbook, this.todos), List.copyOf(this.todos), this.sqlBlocks, this.sqlLanded, this.checkboxes,
					this.checkboxesLanded);
		}

	}

}
