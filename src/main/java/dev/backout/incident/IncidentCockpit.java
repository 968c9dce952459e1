package dev.backout.incident;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;

import dev.backout.approval.Approvals.ApprovalView;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.Rehearsal;
import dev.backout.runbook.LoadedRunbook;
import dev.backout.runbook.Runbook;
import dev.backout.security.Role;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;

/**
 * Everything the incident page shows, read once per view or poll: the page and its live fragment
 * are one read model (issue 12), so a poll costs a handful of statements and never a target
 * connection.
 *
 * @param viewer the signed-in user's name, to say whether the next action is theirs
 * @param waitingFor what the running step waits for (a lock, and who holds it), from memory
 */
public record IncidentCockpit(Incident incident, Runbook runbook, Target target, DecisionWalk walk,
		LoadedRunbook newerRunbook, ExecutionPlan plan, List<StepRow> rows, PlannedStep next, ApprovalView approval,
		String commandOfferedTo, List<SchemaSnapshots.Change> schemaChanges, boolean approvalsCoverPlan, Instant now,
		String viewer, String waitingFor, Rehearsing rehearsing) {

	/**
	 * The plan's rehearsal as the page shows it.
	 *
	 * @param latest the incident's latest rehearsal (of this plan or an earlier one)
	 * @param targets where it can be rehearsed now (empty once approval is requested)
	 */
	public record Rehearsing(Rehearsal latest, Rehearsals.Policy policy, List<Choice> targets) {

		private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

		public record Choice(long id, String name) {
		}

		static List<Choice> targets(String json) {
			return (json == null) ? List.of() : List.of(JSON.readValue(json, Choice[].class));
		}

		/** The latest rehearsal ran this very plan. */
		public boolean ofPlan(ExecutionPlan plan) {
			return this.latest != null && plan != null && this.latest.planHash().equals(plan.planHash());
		}

		/** Requesting approval now needs a reason: the policy asks for a rehearsal this plan has not passed lately. */
		public boolean reasonNeeded(ExecutionPlan plan, Instant now) {
			return this.policy.required() && !(ofPlan(plan) && this.latest.passed()
					&& !this.latest.startedAt().isBefore(now.minus(this.policy.within())));
		}

		public String window() {
			return dev.backout.runbook.Durations.words(this.policy.within());
		}

	}

	public dev.backout.runbook.DecisionDiagram diagram() {
		return dev.backout.runbook.DecisionDiagram.of(this.runbook.decision());
	}

	/** The answers given, as "question=answer", to highlight the path taken. */
	public java.util.Set<String> taken() {
		return this.walk.path().stream().map((a) -> a.question() + "=" + a.answer()).collect(java.util.stream.Collectors.toSet());
	}

	/** The question the decision waits on, while deciding. */
	public String currentQuestion() {
		return (this.incident.state() == IncidentState.TRIAGE) ? this.walk.next().map((q) -> q.id()).orElse(null) : null;
	}

	/** Steps of the runbook this plan leaves out (a partial plan, optional steps), by title: never dropped silently. */
	public List<String> leftOut() {
		if (this.plan == null) {
			return List.of();
		}
		java.util.Set<String> planned = this.plan.steps().stream().map(PlannedStep::stepId).collect(java.util.stream.Collectors.toSet());
		return this.runbook.steps()
			.filter((step) -> !planned.contains(step.id()))
			.filter((step) -> this.incident.outcome() == dev.backout.runbook.Outcome.ROLLBACK_AND_RESTORE
					|| this.runbook.phases().inOrder().stream().noneMatch((phase) -> phase.name() == dev.backout.runbook.PhaseName.RESTORE
							&& phase.steps().contains(step)))
			.map(dev.backout.runbook.Step::displayTitle)
			.toList();
	}

	/** The runbook's description of a step: for a destructive one, its warning. */
	public String description(String stepId) {
		return this.runbook.step(stepId).map(dev.backout.runbook.Step::description).orElse(null);
	}

	/** Every attempt of every step of the plan. */
	public List<dev.backout.execution.StepRun> journal() {
		return this.rows.stream().flatMap((row) -> row.attempts().stream()).toList();
	}

	/** The runbook's troubleshooting entries for the latest failure of {@code row}'s step. */
	public List<dev.backout.runbook.Runbook.Troubleshooting> troubleshooting(StepRow row) {
		dev.backout.execution.StepRun latest = row.latest();
		if (latest == null || latest.error() == null) {
			return List.of();
		}
		return this.runbook.troubleshooting()
			.stream()
			.filter((entry) -> entry.matches(row.step().stepId(), latest.sqlstate()))
			.toList();
	}

	public StepRow settling() {
		return this.rows.stream().filter(StepRow::needsSettling).findFirst().orElse(null);
	}

	public StepRow running() {
		return this.rows.stream().filter(StepRow::running).findFirst().orElse(null);
	}

	/** Halted because the plan moved under its approvals: only a fresh approval lets it go on. */
	public boolean needsReapproval() {
		return this.incident.state() == IncidentState.HALTED && !this.approvalsCoverPlan;
	}

	/**
	 * This process: after a restart (a deploy may bring other markup) every open page renders once
	 * more. Instances differ too, so behind a balancer that alternates them polls render as before.
	 */
	private static final String RENDERER = UUID.randomUUID().toString();

	/**
	 * What the cockpit shows, as a digest: it stays the same for as long as nothing on the
	 * fragment changes, so a poll that already shows it is answered without rendering. Of the
	 * clock, only what the page decides from it counts (the deadline passed, a rehearsal grown too
	 * old); elapsed times tick in the browser.
	 *
	 * @param viewerRoles what the viewer may see and do on it
	 * @param session the viewer's session, whose CSRF token the fragment's forms carry
	 * @param messageShown whether a one-time message (a flash) is shown with it: such a render
	 * never matches a later poll's version, so the next poll renders the cockpit without it
	 */
	public String version(Collection<String> viewerRoles, String session, boolean messageShown) {
		// Target's toString leaves out what it must not print; its edit time stands for all of it.
		// The runbook, the decision walk and the plan's steps follow from the incident (its runbook
		// version and answers) and the plan's hash, so they count by those rather than in full.
		String shown = String.valueOf(Arrays.asList(RENDERER, this.incident, this.target, this.target.updatedAt(),
				this.target.allowSuperuserChecks(), (this.newerRunbook != null) ? this.newerRunbook.hash() : null,
				(this.plan != null) ? this.plan.planHash() : null,
				this.rows.stream().map((row) -> Arrays.asList(row.attempts(), row.next())).toList(),
				this.approval, this.commandOfferedTo, this.schemaChanges, this.approvalsCoverPlan, this.viewer,
				this.waitingFor, this.rehearsing, this.incident.pastDeadline(this.now),
				this.rehearsing.reasonNeeded(this.plan, this.now), new TreeSet<>(viewerRoles), session, messageShown));
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(shown.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JRE", ex);
		}
	}

	/** The page refreshes itself until the incident ends; fast while someone else acts. */
	public String pollEvery() {
		// Nor while a person settles a step: that form's answer is theirs to give, undisturbed.
		if (this.incident.state().terminal() || settling() != null) {
			return null;
		}
		return (this.incident.state() == IncidentState.AWAITING_APPROVAL || running() != null) ? "3s" : "10s";
	}

	public Progress progress() {
		return Progress.of(this.incident.state(), this.incident.outcome() == null || this.incident.outcome().executes());
	}

	/** Time since the incident was opened (until it closed). */
	public Duration elapsed() {
		Instant end = (this.incident.closedAt() != null) ? this.incident.closedAt() : this.now;
		return Duration.between(this.incident.openedAt(), end);
	}

	public Duration estimate() {
		return this.runbook.estimate().orElse(null);
	}

	/** The plan approvers approve, the same identity on every page. */
	public String planId() {
		return (this.incident.planHash() != null) ? this.incident.planHash().substring(0, 12) : null;
	}

	public NextAction nextAction() {
		String commander = this.incident.commander();
		boolean mine = commander.equals(this.viewer);
		StepRow settling = settling();
		StepRow running = running();
		return switch (this.incident.state()) {
			case TRIAGE -> this.walk.ending()
				.map((end) -> new NextAction(commander, "Confirm the decision: " + end.outcome().label(), "confirm-decision",
						"Confirm: " + end.outcome().label(), mine))
				.orElseGet(() -> NextAction.wait(commander,
						"Answer: " + this.walk.next().map((q) -> q.ask()).orElse("the decision questions"), mine));
			case PRECHECK -> precheckAction(commander, mine);
			case AWAITING_APPROVAL -> NextAction.wait(approvers(), "Review and approve the plan (or reject it)", false);
			case REJECTED -> new NextAction(commander, "The plan was rejected: revise it and request approval again, or abort",
					"revise-plan", "Revise the plan", mine);
			case HALTED -> (settling != null)
					? new NextAction(commander, "Settle “" + settling.step().title() + "”: its outcome is not known", "settle-step",
							"Settle the step", mine)
					: needsReapproval()
							? new NextAction(commander, "Request approval of the plan as it is now", "request-approval-again",
									"Request approval again", mine)
							: new NextAction(commander, "Retry “" + stepTitle() + "”, ask to skip it, or abort", "retry-step",
									"Retry the step", mine);
			case APPROVED, EXECUTING, VERIFYING -> {
				if (running != null) {
					yield NextAction.wait("the console", "Running “" + running.step().title() + "”"
							+ ((this.waitingFor != null) ? ": " + this.waitingFor : ""), false);
				}
				if (this.next == null) {
					yield new NextAction(commander, "Write the summary and close the incident", "close-incident",
							"Close as completed", mine);
				}
				yield new NextAction(commander,
						((this.next.kind().name().equals("MANUAL")) ? "Tick “" : "Run “") + this.next.title() + "”"
								+ (this.next.destructive() ? ": destructive, type its confirmation" : ""),
						"run-step", (this.next.kind().name().equals("MANUAL")) ? "Tick" : "Run step", mine);
			}
			case COMPLETED, CLOSED, ABORTED -> NextAction.wait("Nobody", "the incident has ended", false);
		};
	}

	private NextAction precheckAction(String commander, boolean mine) {
		boolean checksRun = this.rows.stream()
			.filter((row) -> row.step().phase().name().equals("PRECHECK") && !row.step().kind().name().equals("MANUAL"))
			.allMatch((row) -> row.latest() != null);
		if (!checksRun) {
			return new NextAction(commander, "Run the pre-checks (read-only)", "run-prechecks", "Run pre-checks", mine);
		}
		if (this.next != null && this.next.phase().name().equals("PRECHECK")) {
			return new NextAction(commander, "Tick “" + this.next.title() + "”", "tick-" + this.next.stepId(), "Tick", mine);
		}
		return new NextAction(commander, "Request approval from " + approvers(), "request-approval", "Request approval", mine);
	}

	private String stepTitle() {
		return (this.next != null) ? this.next.title() : "the step";
	}

	private String approvers() {
		return String.join(" or ", this.runbook.authorization().approvers().stream().map(Role::label).toList());
	}

}
