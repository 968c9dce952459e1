package dev.backout.execution;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.backout.runbook.Outcome;
import dev.backout.runbook.Phase;
import dev.backout.runbook.Runbook;
import dev.backout.runbook.SqlScript;
import dev.backout.runbook.SqlStatement;
import dev.backout.runbook.Step;
import dev.backout.target.Target;

/**
 * The exact ordered list of what an incident will run on which target. Its SHA-256 hash is what
 * approvers approve: any change to the runbook version, the decision, where the target points
 * (environment, connection URL, user) or a single statement changes the hash and so voids
 * earlier approvals.
 *
 * @param target the target's identity as approvers see it: name, environment, URL and user
 */
public record ExecutionPlan(String runbookId, String runbookHash, Outcome outcome, long targetId, String targetName,
		String target, List<PlannedStep> steps, String planHash) {

	/** Applied when a runbook sets no limits: never wait long for a lock on production tables. */
	public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);

	public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(5);

	private static final JsonMapper CANONICAL = JsonMapper.builder()
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.build();

	public ExecutionPlan {
		steps = List.copyOf(steps);
	}

	public static ExecutionPlan of(Runbook runbook, String runbookHash, Outcome outcome, List<String> partialSteps,
			Target target) {
		List<PlannedStep> steps = new ArrayList<>();
		for (Phase phase : runbook.plan(outcome, partialSteps)) {
			for (Step step : phase.steps()) {
				steps.add(plan(phase, step));
			}
		}
		String identity = target.name() + " (" + target.environment() + ") " + target.jdbcUrl() + " as " + target.username();
		String hash = hash(runbook.id(), runbookHash, outcome, identity, steps);
		return new ExecutionPlan(runbook.id(), runbookHash, outcome, target.id(), target.name(), identity, steps, hash);
	}

	public Optional<PlannedStep> step(String stepId) {
		return this.steps.stream().filter((s) -> s.stepId().equals(stepId)).findFirst();
	}

	/** Every statement in running order, as approvers review it. */
	public List<String> statements() {
		return this.steps.stream().flatMap((s) -> s.statements().stream()).toList();
	}

	private static PlannedStep plan(Phase phase, Step step) {
		List<String> statements = (step.sqlText() != null)
				? SqlScript.statements(step.sqlText()).stream().map(SqlStatement::text).toList() : List.of();
		boolean transactional = step.runsInTransaction() && step.kind() != Step.Kind.CHECK;
		Duration timeout = (step.timeoutDuration() != null) ? step.timeoutDuration() : DEFAULT_STATEMENT_TIMEOUT;
		Duration lockTimeout = (step.lockTimeoutDuration() != null) ? step.lockTimeoutDuration() : DEFAULT_LOCK_TIMEOUT;
		return new PlannedStep(phase.name(), step.id(), step.displayTitle(), step.kind(), statements, transactional,
				step.destroysData(), step.confirm(), step.countBefore(), timeout.toMillis(), lockTimeout.toMillis(),
				step.expect(), step.backup(), step.inputs(), step.acknowledgesDynamicSql());
	}

	private static String hash(String runbookId, String runbookHash, Outcome outcome, String target,
			List<PlannedStep> steps) {
		Map<String, Object> canonical = new LinkedHashMap<>();
		canonical.put("runbook", runbookId);
		canonical.put("runbookVersion", runbookHash);
		canonical.put("outcome", outcome.name());
		canonical.put("target", target);
		canonical.put("steps", steps.stream().map(ExecutionPlan::canonical).toList());
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(CANONICAL.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JRE", ex);
		}
	}

	private static Map<String, Object> canonical(PlannedStep step) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("phase", step.phase().name());
		map.put("id", step.stepId());
		map.put("kind", step.kind().name());
		if (step.dynamicSql()) {
			map.put("dynamicSql", true);
		}
		map.put("statements", step.statements());
		map.put("transactional", step.transactional());
		map.put("destructive", step.destructive());
		map.put("confirm", step.confirm());
		map.put("countBefore", step.countBefore());
		map.put("timeoutMillis", step.timeoutMillis());
		map.put("lockTimeoutMillis", step.lockTimeoutMillis());
		map.put("expect", (step.expect() != null) ? step.expect().describe() : null);
		map.put("backup", step.backupTables());
		return map;
	}

}
