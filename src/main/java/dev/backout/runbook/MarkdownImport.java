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

	private static final Pattern EXPECTED = Pattern.compile("(?i)(?:expected(?: result)?|should (?:see|show|return)|returns)\\s*:?\\s*(.+)");

	/** {@code psql … -f file}: the document runs a script kept beside it. */
	private static final Pattern PSQL_FILE = Pattern.compile("psql\\b.*?\\s-f\\s+['\"]?([^\\s'\"]+)");

	/** A script named in prose: "Run `rollback_coaching_tables.sql`". */
	private static final Pattern SCRIPT_NAME = Pattern.compile("([\\w./-]+\\.sql)\\b");

	private static final Pattern RUN_SCRIPT = Pattern.compile("(?i)\\b(?:run|execute|apply)\\b\\W+([\\w./-]+\\.sql)\\b");

	/** {@code COUNT=$(psql …)} then {@code if [ "$COUNT" -eq 0 ]}: the script's own expectation. */
	private static final Pattern ASSIGNED = Pattern.compile("(\\w+)=\\$\\(\\s*$");

	/** A comma list the document expects ("Should show: active, handed_over, closed"): compared as one aggregated value. */
	private static final Pattern LIST = Pattern.compile("[\\w.-]+(?:,\\s*[\\w.-]+)+");

	private static final Pattern TRIGGERS_ROLLBACK = Pattern.compile("(?i)^(?:only\\s+)?(?:roll\\s?back|rollback)\\s+(?:only\\s+)?if\\b.*:$");

	private static final Pattern TRIGGERS_STAY = Pattern.compile("(?i)^do\\s+not\\s+(?:roll\\s?back|rollback)\\s+if\\b.*:$");

	private static final Map<String, String> TOOLS = Map.of("alembic downgrade", "alembic", "sqitch revert", "sqitch", "flyway undo",
			"flyway", "mix ecto.rollback", "ecto", "liquibase rollback", "liquibase");

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
	public record Draft(String yaml, List<String> todos, int sqlBlocks, int sqlLanded, int checkboxes, int checkboxesLanded,
			int scriptsRun, int scriptsLanded) {
	}

	/** Where the document is: a phase of the runbook, or a part with no steps of its own. */
	private enum Section {

		PRECHECK, BACKUP, EXECUTE, VERIFY, RESTORE, AFTER, TRIGGERS_ROLLBACK, TRIGGERS_STAY, TROUBLESHOOTING, ASIDE;

		boolean isPhase() {
			return ordinal() <= AFTER.ordinal();
		}

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
			Section named = named(heading);
			return (named != null) ? named : current;
		}

		/** @return the part a heading names, or null when it names none (the part goes on) */
		static Section named(String heading) {
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
					|| h.contains("contact") || h.contains("escalation") || h.contains("related") || h.contains(" vs")
					|| h.contains("accomplish") || h.contains("conclusion") || h.contains("readiness") || SCRIPT_NAME.matcher(h).find()) {
				// A heading that names a script describes it; where the script runs is the procedure's business.
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
			if (h.contains("recovery") || h.contains("restore") && (h.contains("backup") || h.contains("database") || h.contains("full"))) {
				return RESTORE;
			}
			if (h.contains("post") || h.contains("after") || h.contains("follow") || h.contains("restart") || h.contains("monitor")) {
				return AFTER;
			}
			if (h.contains("rollback") || h.contains("roll back") || h.contains("step") || h.contains("execute")
					|| h.contains("procedure") || h.contains("script") || h.contains("restore") || h.contains("option")) {
				return EXECUTE;
			}
			return null;
		}

	}

	private static boolean indentedCheckbox(String line) {
		Matcher box = CHECKBOX.matcher(line);
		return box.matches() && !box.group(1).isEmpty();
	}

	public static Draft of(String id, String markdown) {
		return of(id, markdown, Map.of());
	}

	/**
	 * @param scripts the files the document runs ({@code psql -f file}, "Run `file.sql`"), by path:
	 * each becomes a step where the document's procedure runs it
	 */
	public static Draft of(String id, String markdown, Map<String, String> scripts) {
		Builder builder = new Builder(scripts);
		MARKDOWN.parse(markdown).accept(builder);
		builder.migration(markdown);
		return builder.draft(id);
	}

	private static final class Builder extends AbstractVisitor {

		private final Map<PhaseName, List<Map<String, Object>>> phases = new LinkedHashMap<>();

		private final List<String> rollbackIf = new ArrayList<>();

		private final List<String> stayIf = new ArrayList<>();

		private final List<Map<String, Object>> troubleshooting = new ArrayList<>();

		private final List<String> todos = new ArrayList<>();

		private final Map<String, Integer> ids = new LinkedHashMap<>();

		private final Map<String, String> scripts;

		private final java.util.Set<String> scriptsLanded = new java.util.HashSet<>();

		private int scriptsRun;

		private String title;

		private String tool = "sql";

		private String revision;

		/** Whether the last heading named a phase: its numbered lists are the procedure. */
		private boolean procedure;

		private String label = "Step";

		private Section section = Section.EXECUTE;

		/** The level of the heading that started an aside, or 0. */
		private int asideLevel;

		private Map<String, Object> lastCheck;

		private int sqlBlocks;

		private int sqlLanded;

		private int checkboxes;

		private int checkboxesLanded;

		Builder(Map<String, String> scripts) {
			this.scripts = scripts;
		}

		@Override
		public void visit(Heading heading) {
			String text = text(heading);
			if (heading.getLevel() == 1 && this.title == null) {
				this.title = text;
				return;
			}
			// Under an aside (tested scenarios, what a script does), sub-headings stay asides.
			if (this.asideLevel == 0 || heading.getLevel() <= this.asideLevel) {
				Section named = Section.named(text);
				this.section = (named != null) ? named : this.section;
				this.procedure = (named != null) ? named.isPhase() : this.procedure;
				this.asideLevel = (this.section == Section.ASIDE) ? heading.getLevel() : 0;
			}
			this.label = text;
			this.lastCheck = null;
			if (this.section == Section.TROUBLESHOOTING && heading.getLevel() >= 3) {
				this.troubleshooting.add(DraftYaml.ordered("problem", text, "solution", ""));
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
					this.rollbackIf.add(withoutMarks(text));
				}
				else if (this.section == Section.TRIGGERS_STAY) {
					this.stayIf.add(withoutMarks(text));
				}
				else if (this.procedure && this.section.isPhase() && item.getParent() instanceof org.commonmark.node.OrderedList
						&& !holdsCode(item)) {
					procedureItem(text.replaceAll("[:.]\\s*$", ""));
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
			// "Only rollback if:" / "Do NOT rollback if:" open a list of triggers without a heading of their own.
			if (TRIGGERS_STAY.matcher(text).matches()) {
				this.section = Section.TRIGGERS_STAY;
				this.procedure = false;
			}
			else if (TRIGGERS_ROLLBACK.matcher(text).matches()) {
				this.section = Section.TRIGGERS_ROLLBACK;
				this.procedure = false;
			}
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
				landed(sql(body, this.label));
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

		/**
		 * SQL: a check when it only reads, else a step, and the queries that end a changing block a check
		 * after it; in an aside or troubleshooting, kept where it belongs.
		 * @return whether it landed in the draft
		 */
		private boolean sql(String sql, String name) {
			if (this.section == Section.TROUBLESHOOTING && !this.troubleshooting.isEmpty()) {
				appendSolution(sql);
				return true;
			}
			if (this.section == Section.ASIDE || this.section == Section.TRIGGERS_ROLLBACK || this.section == Section.TRIGGERS_STAY) {
				this.todos.add("SQL under \"" + this.label + "\" (an example or description, not a step?): " + firstLine(sql));
				return false;
			}
			if (sql.lines().anyMatch((line) -> line.strip().startsWith("\\"))) {
				this.todos.add("psql meta-command under \"" + name + "\" (write it as a query): " + firstLine(sql));
				return false;
			}
			List<SqlStatement> statements;
			try {
				statements = SqlScript.statements(sql);
			}
			catch (RuntimeException unreadable) {
				this.todos.add("SQL under \"" + name + "\" that the console cannot split: " + firstLine(sql));
				return false;
			}
			List<SqlStatement> kept = statements.stream().filter((statement) -> !statement.isTransactionControl()).toList();
			if (kept.size() < statements.size()) {
				this.todos.add("\"" + name + "\": BEGIN/COMMIT removed; the console runs each step in a transaction of its own.");
			}
			if (kept.isEmpty()) {
				return false;
			}
			int changes = kept.size();
			// SELECT setval(…) reads like a query and acts: a step, never a check.
			while (changes > 0 && kept.get(changes - 1).isReadOnlyQuery() && kept.get(changes - 1).sideEffectFunction().isEmpty()) {
				changes--;
			}
			PhaseName phase = this.section.phase();
			if (changes > 0) {
				String id = id(name);
				steps(phase).add(DraftYaml.sqlStep(id, name, kept.subList(0, changes), "RUN " + id, this.todos));
				this.lastCheck = null;
			}
			if (changes < kept.size()) {
				String title = (changes > 0) ? name + ": check" : name;
				this.lastCheck = DraftYaml.ordered("id", id(title), "title", title, "check", DraftYaml.join(kept.subList(changes, kept.size())));
				// Right after the step it closes (its script read the result there), or a read-only block of a procedure: verify.
				steps(phase == PhaseName.EXECUTE && changes == 0 ? PhaseName.VERIFY : phase).add(this.lastCheck);
				// "-- Expected result: 0" closing the block is the check's expectation.
				String last = sql.strip().lines().reduce((a, b) -> b).orElse("").strip();
				Matcher expected = EXPECTED.matcher(last.replaceFirst("^--\\s*", ""));
				if (last.startsWith("--") && expected.lookingAt()) {
					expect(expected.group(1));
				}
			}
			return true;
		}

		/** The document runs a script: its SQL is a step when the script came with the document, else a to-do. */
		private void runScript(String reference, String title) {
			this.scriptsRun++;
			String name = reference.substring(reference.lastIndexOf('/') + 1);
			Optional<String> path = this.scripts.keySet().stream()
				.filter((p) -> p.equals(reference) || p.endsWith("/" + reference) || p.equals(name) || p.endsWith("/" + name))
				.findFirst();
			if (path.isEmpty()) {
				this.todos.add("Under \"" + this.label + "\", the document runs " + reference
						+ ": import the script with the document, or paste its SQL as a step.");
			}
			else if (!this.scriptsLanded.add(path.get())) {
				this.todos.add("Under \"" + this.label + "\", the document runs " + name
						+ " again (already a step): if this is another way, write it as a decision answer with its steps.");
			}
			else if (!sql(this.scripts.get(path.get()), title.contains(name) ? title : title + " (" + name + ")")) {
				this.scriptsLanded.remove(path.get());
			}
		}

		/** A numbered step of a procedure: the script it runs ("Run `x.sql`"), or a checklist item. */
		private void procedureItem(String text) {
			Matcher script = RUN_SCRIPT.matcher(text);
			if (script.find()) {
				runScript(script.group(1), text);
				return;
			}
			this.label = text;
			steps(this.section.phase()).add(DraftYaml.ordered("id", id(text), "manual", text));
		}

		/** A numbered item that holds its SQL or commands names them; the code is the step. */
		private static boolean holdsCode(ListItem item) {
			for (Node child = item.getFirstChild(); child != null; child = child.getNext()) {
				if (child instanceof FencedCodeBlock || child instanceof IndentedCodeBlock) {
					return true;
				}
			}
			return false;
		}

		private void landed(boolean landed) {
			if (landed) {
				this.sqlLanded++;
			}
		}

		private static String withoutMarks(String text) {
			return text.replaceFirst("^[\\p{So}\\p{Sk}\\uFE0F\\s]+", "");
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
				landed(sql(heredoc.group(2).strip(), Optional.ofNullable(lastComment(body.substring(0, heredoc.start()))).orElse(this.label)));
				body = body.substring(0, heredoc.start()) + body.substring(heredoc.end());
			}
			String joined = body.replace("\\\n", " ");
			Matcher psql = PSQL_COMMAND.matcher(joined);
			String comment = null;
			int consumed = 0;
			List<String> commands = new ArrayList<>();
			while (psql.find()) {
				String before = joined.substring(0, psql.start());
				// COUNT=$(psql …): the assignment is part of the query, not a command of its own.
				Matcher assigned = ASSIGNED.matcher(before);
				boolean isAssigned = assigned.find();
				commands.add(joined.substring(consumed, isAssigned ? assigned.start() : psql.start()));
				String sql = (psql.group(2) != null) ? psql.group(2).replace("\\\"", "\"") : psql.group(3);
				comment = lastComment(before);
				this.sqlBlocks++;
				landed(sql(sql.strip(), (comment != null) ? comment : this.label));
				String after = joined.substring(psql.end());
				if (isAssigned && this.lastCheck != null) {
					compared(assigned.group(1), after);
				}
				String nextLine = after.lines().skip(1).findFirst().orElse("");
				Matcher expected = EXPECTED.matcher(nextLine.replaceFirst("^\\s*#\\s*", ""));
				if (this.lastCheck != null && expected.matches()) {
					expect(expected.group(1));
				}
				consumed = psql.end() + (after.startsWith(")") ? 1 : 0);
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
					if (trimmed.isEmpty() || trimmed.startsWith("echo") || trimmed.matches("(fi|then|else|done|set -e.*|exit.*|(el)?if .*|\\)+;?)")
							|| trimmed.startsWith("\"") || trimmed.startsWith("|") || trimmed.startsWith("||")) {
						continue;
					}
					if (SQL_STARTS.stream().filter((start) -> !start.equals("--")).anyMatch((start) -> trimmed.toUpperCase(Locale.ROOT)
						.startsWith(start + " ")) && trimmed.endsWith(";")) {
						// SQL typed at a psql prompt, written into the shell block.
						this.sqlBlocks++;
						landed(sql(trimmed, (lastTitle != null) ? lastTitle : this.label));
						lastTitle = null;
						continue;
					}
					Matcher file = PSQL_FILE.matcher(trimmed);
					if (file.find() && !file.group(1).equals("-")) {
						runScript(file.group(1), (lastTitle != null) ? lastTitle : "Run " + file.group(1));
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
			else if (LIST.matcher(value).matches() && SqlScript.statements((String) this.lastCheck.get("check")).size() == 1) {
				// One value per row, as the document lists them: the rows joined in their order, compared as one value.
				String query = ((String) this.lastCheck.get("check")).strip().replaceAll(";\\s*$", "");
				this.lastCheck.put("check", "SELECT string_agg(value::text, ', ') FROM (" + query + ") AS result(value)");
				this.lastCheck.put("expect", Map.of("equals", String.join(", ", value.split(",\\s*"))));
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

		/** {@code if [ "$COUNT" -eq 0 ]} after {@code COUNT=$(psql …)}: the script's test is the check's expectation. */
		private void compared(String variable, String after) {
			Matcher test = Pattern.compile("if \\[\\s*\"?\\$\\{?" + variable + "}?\"?\\s+-(eq|ge|gt|le|lt)\\s+(-?\\d+)\\s*]").matcher(after);
			if (!test.find()) {
				return;
			}
			long n = Long.parseLong(test.group(2));
			this.lastCheck.put("expect", switch (test.group(1)) {
				case "eq" -> Map.of("equals", n);
				case "ge" -> Map.of("atLeast", n);
				case "gt" -> Map.of("atLeast", n + 1);
				case "le" -> Map.of("atMost", n);
				default -> Map.of("atMost", n - 1);
			});
			this.lastCheck = null;
		}

		private static String lastComment(String before) {
			List<String> lines = before.lines().toList();
			for (int i = lines.size() - 1; i >= 0 && i >= lines.size() - 3; i--) {
				String line = lines.get(i).strip();
				if (line.startsWith("#") && !line.startsWith("#!")) {
					String comment = line.replaceFirst("^#+\\s*(\\d+\\.\\s*)?", "");
					if (EXPECTED.matcher(comment).lookingAt()) {
						continue; // "Should show: …" belongs to the command above
					}
					return comment;
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

		/**
		 * The migration tool the document reverts with ({@code alembic downgrade -1}) and the revision it
		 * names: the console runs the SQL instead, so the tool's own record needs a step of its own.
		 */
		void migration(String markdown) {
			String text = markdown.toLowerCase(Locale.ROOT);
			TOOLS.entrySet().stream().filter((tool) -> text.contains(tool.getKey()))
				.min(java.util.Comparator.comparingInt((tool) -> text.indexOf(tool.getKey())))
				.ifPresent((tool) -> {
					this.tool = tool.getValue();
					this.todos.add("The document reverts with `" + tool.getKey() + "`; the console runs SQL, so add a step that updates "
							+ tool.getValue() + "'s own record of the migration (or import the tool's scripts instead).");
				});
			Matcher revision = Pattern.compile("(?m)^\\s*(?:export\\s+)?(?:REVISION|VERSION|MIGRATION)\\w*=[\"']?([\\w.-]+)").matcher(markdown);
			if (revision.find()) {
				this.revision = revision.group(1);
			}
			this.scripts.keySet().stream().filter((path) -> !this.scriptsLanded.contains(path))
				.forEach((path) -> this.todos.add("The script " + path + " came with the document, but no step of the document runs it."));
		}

		Draft draft(String id) {
			Map<String, Object> runbook = new LinkedHashMap<>();
			runbook.put("id", id);
			runbook.put("title", (this.title != null) ? this.title : id);
			Map<String, Object> migration = new LinkedHashMap<>();
			migration.put("id", (this.revision != null) ? this.revision : "TODO");
			migration.put("tool", this.tool);
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
			List<Map<String, Object>> answers = new ArrayList<>();
			answers.add(DraftYaml.ordered("answer", "Yes", "outcome", "ROLLBACK"));
			if (this.phases.containsKey(PhaseName.RESTORE)) {
				answers.add(DraftYaml.ordered("answer", "Yes, and restore from the backup", "outcome", "ROLLBACK_AND_RESTORE"));
			}
			answers.add(DraftYaml.ordered("answer", "No", "outcome", "FIX_FORWARD"));
			runbook.put("decision", DraftYaml.ordered("start", "roll-back", "questions", List.of(DraftYaml.ordered("id", "roll-back", "ask",
					"Roll back now?", "answers", answers))));
			this.todos.add(0, "The decision is a draft with one question: write the document's criteria as questions.");
			if (this.revision == null) {
				this.todos.add(1, "migration.id is a placeholder" + (this.tool.equals("sql") ? " and migration.tool a guess" : "")
						+ ": name the migration this runbook reverts.");
			}
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
			return new Draft(DraftYaml.write("a Markdown rollback document", runbook, this.todos), List.copyOf(this.todos), this.sqlBlocks,
					this.sqlLanded, this.checkboxes, this.checkboxesLanded, this.scriptsRun, this.scriptsLanded.size());
		}

	}

}
