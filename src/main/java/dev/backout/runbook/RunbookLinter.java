package dev.backout.runbook;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.backout.runbook.DecisionTree.Answer;
import dev.backout.runbook.DecisionTree.Question;
import dev.backout.runbook.RunbookProblem.Severity;

/**
 * The rules a JSON Schema cannot express: references that must resolve, a decision tree that
 * ends, and SQL that says what it does (destructive statements confirmed, no transaction
 * control of its own, checks that only read).
 */
final class RunbookLinter {

	/** Reports a problem at a JSON pointer of the document. */
	interface Reporter {

		RunbookProblem report(String message, String pointer, Severity severity);

	}

	List<RunbookProblem> lint(Runbook runbook, Reporter reporter) {
		List<RunbookProblem> problems = new ArrayList<>();
		Set<String> stepIds = checkSteps(runbook, reporter, problems);
		checkDecision(runbook, stepIds, reporter, problems);
		if (runbook.phases().verify() == null
				|| runbook.phases().verify().steps().stream().noneMatch((s) -> s.kind() == Step.Kind.CHECK)) {
			problems.add(reporter.report("The verify phase needs at least one check: a rollback must prove its result.",
					"/phases/verify", Severity.ERROR));
		}
		return problems;
	}

	private Set<String> checkSteps(Runbook runbook, Reporter reporter, List<RunbookProblem> problems) {
		Set<String> ids = new HashSet<>();
		for (Phase phase : runbook.phases().inOrder()) {
			for (int i = 0; i < phase.steps().size(); i++) {
				Step step = phase.steps().get(i);
				String pointer = "/phases/" + phase.name().key() + "/steps/" + i;
				if (!ids.add(step.id())) {
					problems.add(reporter.report("Step id '" + step.id() + "' is used twice; step ids must be unique.",
							pointer + "/id", Severity.ERROR));
				}
				switch (step.kind()) {
					case SQL -> checkSqlStep(phase, step, pointer, reporter, problems);
					case CHECK -> checkQuery(step.check(), "check", pointer + "/check", reporter, problems);
					default -> {
					}
				}
				if (step.countBefore() != null) {
					checkQuery(step.countBefore(), "countBefore", pointer + "/countBefore", reporter, problems);
				}
				if (step.destroysData() && step.countBefore() == null && step.kind() == Step.Kind.SQL) {
					problems.add(reporter.report("Destructive step '" + step.id()
							+ "' has no countBefore: the operator will not see what is at stake.", pointer, Severity.WARNING));
				}
			}
		}
		return ids;
	}

	private void checkSqlStep(Phase phase, Step step, String pointer, Reporter reporter, List<RunbookProblem> problems) {
		List<SqlStatement> statements = SqlScript.statements(step.sql());
		if (statements.isEmpty()) {
			problems.add(reporter.report("Step '" + step.id() + "' has no SQL statement (only comments?).",
					pointer + "/sql", Severity.ERROR));
		}
		boolean anyWrite = false;
		for (SqlStatement statement : statements) {
			anyWrite |= statement.changesData();
			if (statement.isTransactionControl()) {
				problems.add(reporter.report("Step '" + step.id() + "' controls its own transaction (" + statement.summary()
						+ "); transactions are the console's job: remove it, or set transaction: false.", pointer + "/sql",
						Severity.ERROR));
			}
			var destruction = statement.destruction();
			if (destruction.isPresent()) {
				if (!step.destroysData()) {
					problems.add(reporter.report("Step '" + step.id() + "' destroys data (" + destruction.get() + ": "
							+ statement.summary() + ") but is not marked destructive: true with a confirm text.",
							pointer + "/sql", Severity.ERROR));
				}
			}
			if (statement.dropsWithoutIfExists()) {
				problems.add(reporter.report("'" + statement.summary()
						+ "' has no IF EXISTS: it fails if the object is already gone, e.g. on a retry.", pointer + "/sql",
						Severity.WARNING));
			}
			statement.refusal()
				.ifPresent((why) -> problems.add(reporter.report("Step '" + step.id() + "' may not run '" + statement.summary()
						+ "': " + why + ".", pointer + "/sql", Severity.ERROR)));
			if (statement.isDynamic() && !step.acknowledgesDynamicSql()) {
				problems.add(reporter.report("Step '" + step.id() + "' runs dynamic SQL ('" + statement.summary()
						+ "'), whose effect the console cannot analyse: say so with dynamicSql: true, and approvers will see it.",
						pointer + "/sql", Severity.ERROR));
			}
			if (statement.requiresNoTransaction() && step.runsInTransaction()) {
				problems.add(reporter.report("'" + statement.summary()
						+ "' cannot run inside a transaction: set transaction: false on step '" + step.id() + "'.",
						pointer + "/sql", Severity.ERROR));
			}
		}
		if (!step.runsInTransaction() && phase.singleTransaction()) {
			problems.add(reporter.report("Step '" + step.id() + "' runs outside a transaction, so its phase cannot be "
					+ "one transaction (transaction: phase).", pointer, Severity.ERROR));
		}
		if (step.destroysData() && !anyWrite) {
			problems.add(reporter.report("Step '" + step.id()
					+ "' is marked destructive but none of its statements changes data.", pointer, Severity.WARNING));
		}
	}

	/** A check may hold several read-only queries (a verify script); a fact and a count are one. */
	private void checkQuery(String sql, String field, String pointer, Reporter reporter, List<RunbookProblem> problems) {
		List<SqlStatement> statements = SqlScript.statements(sql);
		boolean several = field.equals("check");
		if (statements.isEmpty() || (!several && statements.size() != 1)
				|| statements.stream().anyMatch((statement) -> !statement.isReadOnlyQuery())) {
			problems.add(reporter.report("A " + field + " must be " + (several ? "read-only queries" : "exactly one read-only query")
					+ " (SELECT, WITH, SHOW, VALUES); it runs in a READ ONLY transaction.", pointer, Severity.ERROR));
			return;
		}
		for (SqlStatement statement : statements) {
			statement.sideEffectFunction()
				.ifPresent((function) -> problems.add(reporter.report("A " + field + " runs before anyone approved anything, so it "
						+ "may only read: " + function + " acts even in a READ ONLY transaction.", pointer, Severity.ERROR)));
			statement.refusal()
				.ifPresent((why) -> problems.add(reporter.report("A " + field + " may not run this: " + why + ".", pointer,
						Severity.ERROR)));
		}
	}

	private void checkDecision(Runbook runbook, Set<String> stepIds, Reporter reporter, List<RunbookProblem> problems) {
		DecisionTree tree = runbook.decision();
		Map<String, Integer> index = new HashMap<>();
		for (int i = 0; i < tree.questions().size(); i++) {
			if (index.putIfAbsent(tree.questions().get(i).id(), i) != null) {
				problems.add(reporter.report("Question id '" + tree.questions().get(i).id() + "' is used twice.",
						"/decision/questions/" + i + "/id", Severity.ERROR));
			}
		}
		if (!index.containsKey(tree.start())) {
			problems.add(reporter.report("The decision starts at '" + tree.start() + "', which is not a question.",
					"/decision/start", Severity.ERROR));
			return;
		}
		Set<String> partialSteps = new HashSet<>();
		for (int q = 0; q < tree.questions().size(); q++) {
			Question question = tree.questions().get(q);
			if (question.fact() != null) {
				checkQuery(question.fact().check(), "fact", "/decision/questions/" + q + "/fact/check", reporter, problems);
			}
			for (int a = 0; a < question.answers().size(); a++) {
				Answer answer = question.answers().get(a);
				String pointer = "/decision/questions/" + q + "/answers/" + a;
				if (answer.expect() != null && question.fact() == null) {
					problems.add(reporter.report("Answer '" + answer.answer() + "' expects a fact value, but question '"
							+ question.id() + "' has no fact.", pointer + "/expect", Severity.ERROR));
				}
				if (answer.next() != null && !index.containsKey(answer.next())) {
					problems.add(reporter.report("Answer '" + answer.answer() + "' leads to '" + answer.next()
							+ "', which is not a question.", pointer + "/next", Severity.ERROR));
				}
				for (String stepId : answer.steps()) {
					partialSteps.add(stepId);
					checkPartialStep(runbook, stepId, answer, pointer, reporter, problems, stepIds);
				}
			}
		}
		findCycle(tree, index).ifPresent((cycle) -> problems.add(reporter.report(
				"The decision tree loops (" + String.join(" → ", cycle) + "); every path must end in an outcome.",
				"/decision/questions/" + index.get(cycle.get(0)), Severity.ERROR)));
		Set<String> reachable = reachable(tree);
		for (Question question : tree.questions()) {
			if (!reachable.contains(question.id())) {
				problems.add(reporter.report("Question '" + question.id() + "' cannot be reached from the start.",
						"/decision/questions/" + index.get(question.id()), Severity.WARNING));
			}
		}
		runbook.steps()
			.filter((step) -> step.onlyWhenNamed() && !partialSteps.contains(step.id()))
			.forEach((step) -> problems.add(reporter.report("Optional step '" + step.id()
					+ "' is named by no PARTIAL outcome, so it never runs.", pointerOf(runbook, step.id()), Severity.WARNING)));
	}

	private void checkPartialStep(Runbook runbook, String stepId, Answer answer, String pointer, Reporter reporter,
			List<RunbookProblem> problems, Set<String> stepIds) {
		if (!stepIds.contains(stepId)) {
			problems.add(reporter.report("PARTIAL outcome of '" + answer.answer() + "' names step '" + stepId
					+ "', which does not exist.", pointer + "/steps", Severity.ERROR));
			return;
		}
		PhaseName phase = runbook.phaseOf(stepId).map(Phase::name).orElseThrow();
		if (!phase.chosenByPartial()) {
			problems.add(reporter.report("PARTIAL outcome of '" + answer.answer() + "' names step '" + stepId + "' of the "
					+ phase.key() + " phase; only backup, execute and verify steps are chosen, the others always run.",
					pointer + "/steps", Severity.ERROR));
		}
	}

	private static String pointerOf(Runbook runbook, String stepId) {
		for (Phase phase : runbook.phases().inOrder()) {
			for (int i = 0; i < phase.steps().size(); i++) {
				if (phase.steps().get(i).id().equals(stepId)) {
					return "/phases/" + phase.name().key() + "/steps/" + i;
				}
			}
		}
		return "";
	}

	private static java.util.Optional<List<String>> findCycle(DecisionTree tree, Map<String, Integer> index) {
		Map<String, Integer> state = new HashMap<>();
		for (Question question : tree.questions()) {
			List<String> path = new ArrayList<>();
			if (visit(tree, question.id(), state, path)) {
				return java.util.Optional.of(path);
			}
		}
		return java.util.Optional.empty();
	}

	/** Depth-first search; state 1 = on the current path, 2 = done. Leaves the cycle in {@code path}. */
	private static boolean visit(DecisionTree tree, String id, Map<String, Integer> state, List<String> path) {
		Integer seen = state.get(id);
		if (seen != null) {
			if (seen == 1) {
				path.subList(0, path.indexOf(id)).clear();
				path.add(id);
				return true;
			}
			return false;
		}
		state.put(id, 1);
		path.add(id);
		for (Answer answer : tree.question(id).map(Question::answers).orElse(List.of())) {
			if (answer.next() != null && tree.question(answer.next()).isPresent()
					&& visit(tree, answer.next(), state, path)) {
				return true;
			}
		}
		path.remove(path.size() - 1);
		state.put(id, 2);
		return false;
	}

	private static Set<String> reachable(DecisionTree tree) {
		Set<String> seen = new HashSet<>();
		List<String> queue = new ArrayList<>(List.of(tree.start()));
		while (!queue.isEmpty()) {
			String id = queue.remove(queue.size() - 1);
			if (seen.add(id)) {
				tree.question(id).ifPresent((q) -> q.answers()
					.stream()
					.filter((a) -> a.next() != null)
					.forEach((a) -> queue.add(a.next())));
			}
		}
		return seen;
	}

}
