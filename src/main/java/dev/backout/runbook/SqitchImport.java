package dev.backout.runbook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a sqitch project's own rollback knowledge into a draft runbook: its last N changes
 * reverted newest first with their {@code revert/} scripts (a reworked change with the script of
 * the version it goes back to), transaction wrappers removed; each change's {@code verify/}
 * script as a pre-check that must succeed before and, after the revert, a check that must fail
 * (or, for a reworked change, the earlier version's verify that must succeed); and a last step that
 * updates sqitch's registry as {@code sqitch revert} would, so that sqitch and the database agree.
 */
public final class SqitchImport {

	private static final Pattern PROJECT = Pattern.compile("(?m)^%project=(\\S+)");

	/** A change line: name, optional [dependencies], timestamp, planner, optional # note. */
	private static final Pattern CHANGE = Pattern.compile("^([^\\s@#%\\[][^\\s\\[]*)\\s+(?:\\[[^\\]]*\\]\\s+)?\\d{4}-\\d\\d-\\d\\dT.*?(?:#\\s*(.*))?$");

	private static final Pattern TAG = Pattern.compile("^@(\\S+)\\s");

	private SqitchImport() {
	}

	/** @param changes the changes reverted, newest first */
	public record Draft(String yaml, List<String> todos, List<String> changes) {
	}

	/** One occurrence of a change in the plan, and the first tag after it (which names its reworked scripts). */
	private record Planned(String name, String note, String tagAfter, boolean reworkedLater) {

		String script(String kind) {
			return kind + "/" + (this.reworkedLater ? this.name + "@" + this.tagAfter : this.name) + ".sql";
		}

	}

	/**
	 * @param plan the text of {@code sqitch.plan}
	 * @param scripts project files by path relative to the project ({@code revert/users.sql})
	 * @param last how many changes to revert, counted from the end of the plan
	 */
	public static Draft of(String id, String plan, Map<String, String> scripts, int last) {
		String project = matchOr(PROJECT, plan, "project");
		List<Planned> planned = parse(plan);
		if (last < 1 || last > planned.size()) {
			throw new IllegalArgumentException("The plan has " + planned.size() + " changes; revert between 1 and " + planned.size()
					+ " of them.");
		}
		List<String> todos = new ArrayList<>();
		List<Planned> reverted = new ArrayList<>(planned.subList(planned.size() - last, planned.size()));
		java.util.Collections.reverse(reverted);
		List<Map<String, Object>> prechecks = new ArrayList<>();
		List<Map<String, Object>> execute = new ArrayList<>();
		List<Map<String, Object>> verify = new ArrayList<>();
		for (Planned change : reverted) {
			Optional<String> verifyScript = Optional.ofNullable(scripts.get(change.script("verify")));
			verifyScript.ifPresentOrElse((sql) -> check(prechecks, "deployed-" + change.name(), "\"" + change.name() + "\" is deployed (its verify script passes)",
					sql, "succeeds", todos), () -> todos.add("No " + change.script("verify") + ": nothing proves \"" + change.name() + "\" is deployed."));
			String revert = scripts.get(change.script("revert"));
			if (revert == null) {
				todos.add("No " + change.script("revert") + ": write the revert of \"" + change.name() + "\" by hand.");
				continue;
			}
			Map<String, Object> step = DraftYaml.sqlStep("revert-" + DraftYaml.slug(change.name()), "Revert " + change.name()
					+ (change.note().isEmpty() ? "" : ": " + change.note()), DraftYaml.withoutTransactionControl(revert), "REVERT " + change.name(), todos);
			execute.add(step);
			// After the revert, a change that is gone fails its verify; a reworked one verifies as its earlier version.
			Optional<Planned> earlier = planned.stream()
				.filter((other) -> other.name().equals(change.name()) && other.reworkedLater() && other != change
						&& planned.indexOf(other) < planned.indexOf(change) && !reverted.contains(other))
				.reduce((a, b) -> b);
			if (earlier.isPresent() && scripts.containsKey(earlier.get().script("verify"))) {
				check(verify, "back-to-" + change.name(), "\"" + change.name() + "\" is back to its version at @" + earlier.get().tagAfter(),
						scripts.get(earlier.get().script("verify")), "succeeds", todos);
			}
			else {
				verifyScript.ifPresent((sql) -> check(verify, "reverted-" + change.name(), "\"" + change.name() + "\" is gone (its verify script fails)",
						sql, "fails", todos));
			}
		}
		execute.add(registry(project, reverted));
		// What `sqitch status` reports: the newest deployed change is the one before the reverted ones.
		int left = planned.size() - last;
		verify.add((left > 0)
				? DraftYaml.ordered("id", "registry-updated", "title", "sqitch's registry says \"" + planned.get(left - 1).name()
						+ "\" is the last change deployed", "check", "SELECT change FROM sqitch.changes WHERE project = " + DraftYaml.literal(project)
						+ " ORDER BY committed_at DESC LIMIT 1", "expect", Map.of("equals", planned.get(left - 1).name()))
				: DraftYaml.ordered("id", "registry-updated", "title", "sqitch's registry lists no change deployed", "check",
						"SELECT count(*) FROM sqitch.changes WHERE project = " + DraftYaml.literal(project), "expect", Map.of("equals", 0)));

		String changes = String.join(", ", reverted.stream().map(Planned::name).toList());
		Map<String, Object> runbook = DraftYaml.revertRunbook(id, "Revert " + project + ": " + changes,
				DraftYaml.ordered("id", project + ":" + reverted.get(0).name(), "tool", "sqitch", "historyTable", "sqitch.changes"),
				"Reverts the last " + last + " change(s) of sqitch project " + project
						+ " with the project's own revert scripts, newest first, and updates sqitch's registry as `sqitch revert` would.",
				"Revert " + changes + "?", prechecks, execute, verify);
		todos.add(0, "Name the target alias group (target:) and the approvers this project needs.");
		return new Draft(DraftYaml.write("sqitch project " + project, runbook, todos), List.copyOf(todos),
				reverted.stream().map(Planned::name).toList());
	}

	/** The plan's changes in order; a change whose name comes again later was reworked, its scripts named name@tag. */
	private static List<Planned> parse(String plan) {
		List<String[]> changes = new ArrayList<>();
		List<Integer> tagIndex = new ArrayList<>();
		Map<Integer, String> tagsAfter = new LinkedHashMap<>();
		for (String raw : plan.lines().toList()) {
			String line = raw.strip();
			if (line.isEmpty() || line.startsWith("%") || line.startsWith("#")) {
				continue;
			}
			Matcher tag = TAG.matcher(line);
			if (tag.find()) {
				tagsAfter.putIfAbsent(changes.size(), tag.group(1));
				tagIndex.add(changes.size());
				continue;
			}
			Matcher change = CHANGE.matcher(line);
			if (change.matches()) {
				changes.add(new String[] { change.group(1), (change.group(2) != null) ? change.group(2).strip() : "" });
			}
		}
		List<Planned> planned = new ArrayList<>();
		for (int i = 0; i < changes.size(); i++) {
			String name = changes.get(i)[0];
			int at = i;
			boolean reworked = changes.subList(i + 1, changes.size()).stream().anyMatch((c) -> c[0].equals(name));
			String tagAfter = tagsAfter.entrySet().stream().filter((e) -> e.getKey() > at).map(Map.Entry::getValue).findFirst().orElse(null);
			planned.add(new Planned(name, changes.get(i)[1], tagAfter, reworked && tagAfter != null));
		}
		return planned;
	}

	private static void check(List<Map<String, Object>> into, String id, String title, String script, String expect, List<String> todos) {
		List<SqlStatement> statements = DraftYaml.withoutTransactionControl(script);
		if (statements.isEmpty() || !statements.stream().allMatch(SqlStatement::isReadOnlyQuery)) {
			todos.add("\"" + title + "\": its verify script does more than read (DO blocks, functions): write it as a read-only check.");
			return;
		}
		into.add(DraftYaml.ordered("id", DraftYaml.slug(id), "title", title, "check", DraftYaml.join(statements), "expect", Map.of(expect, true)));
	}

	/**
	 * The registry as {@code sqitch revert} leaves it: a revert event per change, its dependencies,
	 * tags and row gone (dependencies first: one reverted change may depend on another).
	 */
	private static Map<String, Object> registry(String project, List<Planned> reverted) {
		String rows = latestRows(project, reverted);
		String sql = """
				INSERT INTO sqitch.events (event, change_id, change, project, note, requires, conflicts, tags, committer_name,
				  committer_email, planned_at, planner_name, planner_email)
				SELECT 'revert', c.change_id, c.change, c.project, c.note, '{}', '{}', '{}', current_user, current_user || '@backout',
				  c.planned_at, c.planner_name, c.planner_email
				FROM sqitch.changes c WHERE c.change_id IN (%1$s);
				DELETE FROM sqitch.dependencies WHERE change_id IN (%1$s);
				DELETE FROM sqitch.tags WHERE change_id IN (%1$s);
				DELETE FROM sqitch.changes WHERE change_id IN (%1$s);""".formatted(rows);
		return DraftYaml.ordered("id", "sqitch-registry", "title", "Update sqitch's registry: the reverted changes are no longer deployed",
				"sql", sql);
	}

	/** The registry rows of the reverted changes: for each name, its newest deployments, as many as are reverted. */
	private static String latestRows(String project, List<Planned> reverted) {
		Map<String, Integer> counts = new LinkedHashMap<>();
		reverted.forEach((change) -> counts.merge(change.name(), 1, Integer::sum));
		String which = String.join(" OR ", counts.entrySet().stream()
			.map((e) -> "(r.change = " + DraftYaml.literal(e.getKey()) + " AND r.n <= " + e.getValue() + ")")
			.toList());
		return "SELECT r.change_id FROM (SELECT change_id, change, row_number() OVER (PARTITION BY change ORDER BY committed_at DESC) AS n "
				+ "FROM sqitch.changes WHERE project = " + DraftYaml.literal(project) + ") r WHERE " + which;
	}





	private static String matchOr(Pattern pattern, String text, String what) {
		Matcher matcher = pattern.matcher(text);
		if (!matcher.find()) {
			throw new IllegalArgumentException("sqitch.plan names no %" + what + ".");
		}
		return matcher.group(1);
	}

}
