package dev.backout.incident;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.backout.ConsoleStatements;
import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.ApprovalRefused;
import dev.backout.approval.Approvals;
import dev.backout.approval.Reviewed;
import dev.backout.approval.ReviewedPlans;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.Outcome;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The incident workflow and its gate, on the server, with a small runbook on a target of its own.
 */
@IntegrationTest
class IncidentWorkflowIntegrationTests {

	static final String PASSWORD = "demo-password-for-tests";

	static final Path RUNBOOKS = Path.of("target", "test-runbooks");

	static final String RUNBOOK = """
			id: incident-test
			title: Incident workflow test
			migration: { id: "7", tool: sql }
			risk: LOW
			summary: A small runbook for the workflow tests.
			target: scratch
			triggers:
			  rollbackIf: [It is broken]
			  doNotRollbackIf: [It can be fixed forward]
			decision:
			  start: broken
			  questions:
			    - id: broken
			      ask: Is it broken?
			      answers:
			        - { answer: "Yes", outcome: ROLLBACK }
			        - { answer: "No", outcome: FIX_FORWARD }
			authorization:
			  approvers: [TEAM_LEAD, CTO]
			  fallback: { role: ON_CALL, when: TEAM_LEAD_UNREACHABLE }
			  deadline: 30m
			phases:
			  precheck:
			    steps:
			      - id: table-present
			        title: things exists
			        check: SELECT count(*) FROM things
			        expect: { atLeast: 0 }
			      - id: writes-frozen
			        manual: Writes frozen
			  execute:
			    steps:
			      - id: add-column
			        title: Add a column
			        sql: ALTER TABLE things ADD COLUMN IF NOT EXISTS extra int;
			      - id: drop-things
			        title: Drop things
			        sql: DROP TABLE IF EXISTS things;
			        destructive: true
			        confirm: DROP things
			        countBefore: SELECT count(*) FROM things
			  verify:
			    steps:
			      - id: gone
			        title: things is gone
			        check: SELECT count(*) FROM information_schema.tables WHERE table_name = 'things'
			        expect: { equals: 0 }
			  after:
			    steps:
			      - id: notified
			        manual: Stakeholders notified
			        inputs: [{ name: channel, label: Channel }]
			troubleshooting:
			  - problem: The things table is missing
			    solution: Create it again, then retry.
			    sqlstates: ["42P01"]
			  - problem: A duplicate key
			    solution: Not about a missing table.
			    sqlstates: ["23505"]
			""";

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	Approvals approvals;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	OverdueIncidents overdue;

	@Autowired
	org.springframework.test.web.servlet.MockMvc mvc;

	Target target;

	@BeforeEach
	void runbookAndTarget() throws Exception {
		Files.createDirectories(RUNBOOKS);
		Files.writeString(RUNBOOKS.resolve("incident-test.yaml"), RUNBOOK);
		this.catalog.reload(null);
		this.target = new ScratchTargets(this.demo, this.targets).create("incident-" + System.nanoTime() % 1_000_000,
				"CREATE TABLE things (n int); INSERT INTO things SELECT generate_series(1, 12)");
	}

	@AfterEach
	void signOut() throws IOException {
		SecurityContextHolder.clearContext();
		Files.writeString(RUNBOOKS.resolve("incident-test.yaml"), RUNBOOK);
	}

	@Test
	void aRollbackGoesFromTriageToCompletedWithEveryTransitionAudited() {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander);
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.EXECUTING);
		StepRun drop = this.incidentSteps.runStep(incident.id(), "drop-things", "DROP things", Map.of(), commander);
		assertThat(drop.countBefore()).isEqualTo("12");
		this.incidentSteps.runRestOfPhase(incident.id(), commander);
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.VERIFYING);
		assertThatExceptionOfType(dev.backout.execution.ExecutionRefused.class)
			.isThrownBy(() -> this.incidentSteps.runStep(incident.id(), "notified", null, Map.of(), commander))
			.withMessage("Fill in \"Channel\" before ticking this item.");
		StepRun ticked = this.incidentSteps.runStep(incident.id(), "notified", null, Map.of("channel", "#incidents"), commander);
		// A tick sends nothing: one finished row and one event, written together, no STARTED record.
		assertThat(ticked.state()).isEqualTo(StepState.SUCCEEDED);
		assertThat(ticked.checkValue()).isEqualTo("Channel: #incidents");
		assertThat(this.jdbc.sql("select count(*) from step_run where incident_id = ? and step_id = 'notified'")
			.param(incident.id()).query(Long.class).single()).isEqualTo(1);
		assertThat(details(incident.id(), "STEP_TICKED")).contains("\"inputs\": \"Channel: #incidents\"");
		Incident current = this.incidents.get(incident.id());
		Incident completed = this.incidents.close(incident.id(), current.version(), "Rolled back the test table.", commander);

		assertThat(completed.state()).isEqualTo(IncidentState.COMPLETED);
		assertThat(actions(incident.id())).containsSubsequence("INCIDENT_OPENED", "DECISION_ANSWERED", "DECISION_CONFIRMED",
				"STEP_STARTED", "STEP_SUCCEEDED", "APPROVAL_REQUESTED", "INCIDENT_AWAITING_APPROVAL", "APPROVAL_GIVEN",
				"INCIDENT_APPROVED", "INCIDENT_EXECUTING", "STEP_STARTED", "STEP_SUCCEEDED", "INCIDENT_VERIFYING",
				"INCIDENT_COMPLETED");
	}

	@Test
	void theCommanderCanNeverApproveTheirOwnIncidentWhateverTheirRoles() {
		Authentication both = SignedIn.as("commander", Role.COMMANDER, Role.TEAM_LEAD, Role.CTO);
		Incident incident = awaitingApproval(both);
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), both, Role.TEAM_LEAD, Approval.Decision.APPROVED, "me", PASSWORD, ReviewedPlans.current(this.approvals, incident.id())))
			.withMessage("You are this incident's commander: the commander cannot approve their own incident.");
		assertThat(this.approvals.eligibleRoles(this.approvals.find(incident.id()).orElseThrow(), both)).isEmpty();
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
	}

	/** ASVS 4.0.3 V4.1.3 / V11.1.1: an approval binds to exactly what the approver reviewed (page, API). */
	@Test
	void anApprovalCountsOnlyForThePlanTheApproverReviewed() {
		Incident incident = awaitingApproval(SignedIn.as("commander", Role.COMMANDER));
		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		Reviewed seen = ReviewedPlans.current(this.approvals, incident.id());
		String plan = seen.planHash().substring(0, 12);
		String version = seen.runbookVersion().substring(0, 12);

		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok",
					PASSWORD, new Reviewed("f".repeat(64), seen.runbookVersion(), List.of())))
			.withMessage("You reviewed plan ffffffffffff of runbook version " + version + ", but the request is now for plan "
					+ plan + " of runbook version " + version + ". Nothing was recorded: reload the review and decide on what it shows.");
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok",
					PASSWORD, new Reviewed(seen.planHash(), seen.runbookVersion(), List.of("drop-things"))))
			.withMessageContaining("skipping drop-things");
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok",
					PASSWORD, new Reviewed(null, null, null)))
			.withMessageStartingWith("You reviewed plan (none named)");
		assertThat(this.approvals.decisions(incident.id())).isEmpty();

		assertThat(this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok", PASSWORD, seen)
			.approved()).isTrue();
	}

	@Test
	void auditorsAndApproversCannotExecute() {
		Incident incident = approvedIncident();
		for (Authentication outsider : List.of(SignedIn.as("auditor", Role.AUDITOR), SignedIn.as("lead", Role.TEAM_LEAD), SignedIn.as("cto", Role.CTO))) {
			SecurityContextHolder.getContext().setAuthentication(outsider);
			assertThatExceptionOfType(AccessDeniedException.class)
				.isThrownBy(() -> this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), outsider));
			assertThatExceptionOfType(AccessDeniedException.class)
				.isThrownBy(() -> this.incidentSteps.runRestOfPhase(incident.id(), outsider));
		}
		assertThat(journal(incident.id())).noneMatch((run) -> run.stepId().equals("add-column"));
	}

	@Test
	void nothingRunsBeforeTheIncidentIsApproved() {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = awaitingApproval(commander);
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander))
			.withMessageStartingWith("Nothing runs against the target before the incident is approved");
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentSteps.runRestOfPhase(incident.id(), commander));
		assertThat(journal(incident.id())).noneMatch((run) -> run.phase().equals("EXECUTE"));
	}

	@Test
	void onCallMayApproveOnlyOnceTheTeamLeadIsRecordedUnreachable() {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = awaitingApproval(commander);
		Authentication oncall = SignedIn.as("oncall", Role.ON_CALL);
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), oncall, Role.ON_CALL, Approval.Decision.APPROVED, "ok", PASSWORD, ReviewedPlans.current(this.approvals, incident.id())))
			.withMessageStartingWith("On-call engineer may approve only when the commander has recorded the team lead unreachable");

		SignedIn.as("commander", Role.COMMANDER);
		this.incidentApprovals.recordLeadUnreachable(incident.id(), this.incidents.get(incident.id()).version(),
				"Paged twice, no answer in 10 minutes", commander);
		SignedIn.as("oncall", Role.ON_CALL);
		assertThat(this.approvals.decide(incident.id(), oncall, Role.ON_CALL, Approval.Decision.APPROVED, "Approved as on-call",
				PASSWORD, ReviewedPlans.current(this.approvals, incident.id())).approved()).isTrue();
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.APPROVED);
		assertThat(actions(incident.id())).contains("TEAM_LEAD_UNREACHABLE");
	}

	@Test
	void approvingWithAStaleSignInNeedsThePassword() {
		Incident incident = awaitingApproval(SignedIn.as("commander", Role.COMMANDER));
		Authentication cto = SignedIn.as("cto", Role.CTO);
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), cto, Role.CTO, Approval.Decision.APPROVED, "ok", null, ReviewedPlans.current(this.approvals, incident.id())))
			.withMessage("Enter your password: this session signed in more than 5 minutes ago.");
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), cto, Role.CTO, Approval.Decision.APPROVED, "ok", "wrong", ReviewedPlans.current(this.approvals, incident.id())))
			.withMessage("Wrong password: nothing was recorded. Five wrong passwords in a row lock the account for 15 minutes.");
		assertThat(actions(incident.id())).doesNotContain("APPROVAL_GIVEN");
		assertThat(this.approvals.decide(incident.id(), cto, Role.CTO, Approval.Decision.APPROVED, "ok", PASSWORD, ReviewedPlans.current(this.approvals, incident.id())).approved())
			.isTrue();
	}

	@Test
	void aRunbookChangeAfterApprovalVoidsTheApprovalAndShowsWhatChanged() throws IOException {
		Incident incident = approvedIncident();
		Files.writeString(RUNBOOKS.resolve("incident-test.yaml"),
				RUNBOOK.replace("ADD COLUMN IF NOT EXISTS extra int", "ADD COLUMN IF NOT EXISTS extra bigint"));
		this.catalog.reload(null);
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident switched = this.incidents.switchToActiveRunbook(incident.id(), this.incidents.get(incident.id()).version(), commander);

		assertThat(switched.state()).isEqualTo(IncidentState.PRECHECK);
		assertThat(switched.planHash()).isNotEqualTo(incident.planHash());
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander));
		this.incidentSteps.runPrechecks(incident.id(), commander);
		Incident requested = this.incidentApprovals.requestApproval(incident.id(), this.incidents.get(incident.id()).version(), commander);
		assertThat(requested.state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
		var request = this.approvals.find(incident.id()).orElseThrow();
		assertThat(this.approvals.status(incident.id()).orElseThrow().stale()).hasSize(1);
		assertThat(this.approvals.changesSincePreviousRequest(request))
			.containsExactly("- add-column: ALTER TABLE things ADD COLUMN IF NOT EXISTS extra int",
					"+ add-column: ALTER TABLE things ADD COLUMN IF NOT EXISTS extra bigint");
	}

	@Test
	void aDoubleSubmissionExecutesOnce() throws Exception {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		ExecutorService pool = Executors.newFixedThreadPool(2);
		CountDownLatch go = new CountDownLatch(1);
		try {
			Callable<StepRun> click = () -> {
				SecurityContextHolder.getContext().setAuthentication(commander);
				go.await();
				return this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander);
			};
			List<Future<StepRun>> clicks = List.of(pool.submit(click), pool.submit(click));
			go.countDown();
			int succeeded = 0;
			for (Future<StepRun> result : clicks) {
				try {
					succeeded += (result.get(30, TimeUnit.SECONDS).state() == StepState.SUCCEEDED) ? 1 : 0;
				}
				catch (java.util.concurrent.ExecutionException refused) {
					assertThat(refused.getCause()).isInstanceOfAny(dev.backout.execution.ExecutionRefused.class,
							IncidentRefused.class);
				}
			}
			assertThat(succeeded).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(journal(incident.id()).stream().filter((run) -> run.stepId().equals("add-column"))).hasSize(1);
	}

	@Test
	void aFailedStepHaltsAndASkipNeedsAFreshApproval() throws Exception {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		try (var connection = new ScratchTargets(this.demo, this.targets).connect(this.target);
				var statement = connection.createStatement()) {
			statement.execute("ALTER TABLE things RENAME TO renamed_things");
		}
		this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander);
		Incident halted = this.incidents.get(incident.id());
		assertThat(halted.state()).isEqualTo(IncidentState.HALTED);
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentSteps.runStep(incident.id(), "drop-things", "DROP things", Map.of(), commander))
			.withMessageStartingWith("The incident is halted");

		Incident skipping = this.incidentApprovals.requestSkip(incident.id(), halted.version(), "add-column",
				"The table was renamed by the application team; the column is not needed", commander);
		assertThat(skipping.state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
		assertThat(this.approvals.status(incident.id()).orElseThrow().approved()).isFalse();
		SignedIn.as("lead", Role.TEAM_LEAD);
		this.approvals.decide(incident.id(), SignedIn.as("lead", Role.TEAM_LEAD), Role.TEAM_LEAD, Approval.Decision.APPROVED,
				"Skip is fine", PASSWORD, ReviewedPlans.current(this.approvals, incident.id()));
		assertThat(journal(incident.id())).anyMatch((run) -> run.stepId().equals("add-column") && run.state() == StepState.SKIPPED);
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.EXECUTING);
	}

	@Test
	void fixForwardClosesTheIncidentWithItsReason() {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident opened = open(commander);
		Incident incident = this.incidents.answer(opened.id(), opened.version(), "broken", "No", commander);
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidents.confirmDecision(incident.id(), 1, " ", commander))
			.withMessageStartingWith("Say why the incident closes");
		Incident closed = this.incidents.confirmDecision(incident.id(), 1, "A hotfix is deploying", commander);
		assertThat(closed.state()).isEqualTo(IncidentState.CLOSED);
		assertThat(closed.outcome()).isEqualTo(Outcome.FIX_FORWARD);
		assertThat(closed.decisionReason()).isEqualTo("A hotfix is deploying");
	}

	@Test
	void answersCanChangeUntilTheDecisionIsConfirmed() {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = open(commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "No", commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", commander);
		assertThat(incident.answers()).extracting(Answer::answer).containsExactly("Yes");
		assertThat(this.incidents.walk(incident).ending()).hasValueSatisfying((end) -> assertThat(end.outcome()).isEqualTo(Outcome.ROLLBACK));
		Incident stale = incident;
		assertThatExceptionOfType(IncidentChanged.class)
			.isThrownBy(() -> this.incidents.answer(stale.id(), stale.version() - 1, "broken", "No", commander));
	}

	@Test
	void passingTheDeadlineMarksTheIncidentOverdueButNeverApprovesIt() {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening("incident-test", this.target.id(), "slow", Severity.SEV1,
				Instant.now().minus(45, ChronoUnit.MINUTES)), commander);
		this.overdue.mark();
		Incident overdue = this.incidents.get(incident.id());
		assertThat(overdue.overdue()).isTrue();
		assertThat(overdue.state()).isEqualTo(IncidentState.TRIAGE);
		assertThat(actions(incident.id())).contains("INCIDENT_OVERDUE");
	}

	private Incident approvedIncident() {
		Incident incident = awaitingApproval(SignedIn.as("commander", Role.COMMANDER));
		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		assertThat(this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "Go ahead", PASSWORD, ReviewedPlans.current(this.approvals, incident.id()))
			.approved()).isTrue();
		SignedIn.as("commander", Role.COMMANDER);
		Incident approved = this.incidents.get(incident.id());
		assertThat(approved.state()).isEqualTo(IncidentState.APPROVED);
		return approved;
	}

	private Incident awaitingApproval(Authentication commander) {
		Incident incident = open(commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", commander);
		incident = this.incidents.confirmDecision(incident.id(), incident.version(), null, commander);
		assertThat(incident.state()).isEqualTo(IncidentState.PRECHECK);
		this.incidentSteps.runPrechecks(incident.id(), commander);
		long id = incident.id();
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentApprovals.requestApproval(id, this.incidents.get(id).version(), commander))
			.withMessageContaining("Writes frozen");
		this.incidentSteps.runStep(id, "writes-frozen", null, Map.of(), commander);
		return this.incidentApprovals.requestApproval(id, this.incidents.get(id).version(), commander);
	}

	private Incident open(Authentication commander) {
		return this.incidents.open(new Incidents.Opening("incident-test", this.target.id(), "Queries fail", Severity.SEV2, null),
				commander);
	}

	private List<StepRun> journal(long incident) {
		return new ArrayList<>(this.jdbc.sql("select step_id, state, phase from step_run where incident_id = ? order by id")
			.param(incident)
			.query((rs, row) -> new StepRun(0, incident, 0, rs.getString("step_id"), rs.getString("phase"), 0, "", false,
					StepState.valueOf(rs.getString("state")), Instant.now(), null, null, null, null, null, null, null, null, "",
					null, null))
			.list());
	}

	/** ASVS 4.0.3 V7.1.3 / V7.2.2: every decision, confirmation and refusal is in the incident's trail. */
	@Test
	void theTrailSaysTheDecisionReasonTheTypedConfirmationAndTheRefusedApproval() {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER, Role.TEAM_LEAD);
		Incident incident = open(commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", commander);
		incident = this.incidents.confirmDecision(incident.id(), incident.version(), "Writes fail since the deploy", commander);
		assertThat(details(incident.id(), "DECISION_CONFIRMED")).contains("\"reason\": \"Writes fail since the deploy\"");
		this.incidentSteps.runPrechecks(incident.id(), commander);
		this.incidentSteps.runStep(incident.id(), "writes-frozen", null, Map.of(), commander);
		long id = this.incidentApprovals.requestApproval(incident.id(), this.incidents.get(incident.id()).version(), commander).id();

		assertThatExceptionOfType(ApprovalRefused.class).isThrownBy(() -> this.approvals.decide(id, commander,
				Role.TEAM_LEAD, Approval.Decision.APPROVED, "me", PASSWORD, ReviewedPlans.current(this.approvals, id)));
		assertThat(details(id, "APPROVAL_REFUSED")).contains("the commander cannot approve their own incident");

		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		this.approvals.decide(id, lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok", PASSWORD,
				ReviewedPlans.current(this.approvals, id));
		Authentication driver = SignedIn.as("commander", Role.COMMANDER);
		this.incidentSteps.runStep(id, "add-column", null, Map.of(), driver);
		this.incidentSteps.runStep(id, "drop-things", "DROP things", Map.of(), driver);
		assertThat(details(id, "STEP_STARTED")).contains("\"typedConfirmation\": \"DROP things\"");
	}

	@Test
	void aDeadlineAlreadyPassedWhenTheIncidentIsOpenedIsRecordedAtOnce() {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident late = this.incidents.open(new Incidents.Opening("incident-test", this.target.id(), "Noticed late",
				Severity.SEV2, Instant.now().minus(java.time.Duration.ofHours(2))), commander);

		assertThat(late.overdue()).isTrue();
		assertThat(details(late.id(), "INCIDENT_OVERDUE")).contains("already passed when the incident was opened");
	}

	@Test
	void aTargetEditIsRecordedOnEveryOpenIncidentThatUsesIt() {
		Incident incident = awaitingApproval(SignedIn.as("commander", Role.COMMANDER));
		this.targets.update(this.target.id(), Targets.TargetSpec.of(this.target).withEnvironment(dev.backout.target.Environment.PRODUCTION),
				SignedIn.as("admin", Role.ADMIN));

		assertThat(details(incident.id(), "TARGET_CHANGED")).contains("\"environment\": \"PRODUCTION\"")
			.contains("\"by\": \"admin\"");
	}

	/**
	 * ASVS 4.0.3 V4.1.3 / V11.1.1: the plan hash covers where the plan runs. Repointing an approved
	 * target to another database voids the approvals: the executing incident halts (it does not
	 * get stuck), nothing more is sent, and approvers approve the plan as it now is. A new password
	 * alone leaves the plan as approved.
	 */
	@Test
	void repointingTheTargetOfAnExecutingIncidentHaltsItUntilTheNewPlanIsApproved() throws Exception {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		assertThat(this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander).state()).isEqualTo(StepState.SUCCEEDED);
		String approvedPlan = this.incidents.get(incident.id()).planHash();
		Authentication admin = SignedIn.as("admin", Role.ADMIN);
		this.targets.update(this.target.id(), Targets.TargetSpec.of(this.target).withPassword("a-new-password"), admin);
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.EXECUTING);
		assertThat(this.incidents.get(incident.id()).planHash()).isEqualTo(approvedPlan);

		Target elsewhere = new ScratchTargets(this.demo, this.targets).create("elsewhere-" + System.nanoTime() % 1_000_000,
				"CREATE TABLE things (n int)");
		this.targets.update(this.target.id(), Targets.TargetSpec.of(this.target).withJdbcUrl(elsewhere.jdbcUrl()), admin);

		Incident halted = this.incidents.get(incident.id());
		assertThat(halted.state()).isEqualTo(IncidentState.HALTED);
		assertThat(halted.planHash()).isNotEqualTo(approvedPlan);
		assertThat(details(incident.id(), "TARGET_CHANGED")).contains("\"state\": \"EXECUTING → HALTED\"")
			.contains(approvedPlan + " → " + halted.planHash());
		SignedIn.as("commander", Role.COMMANDER);
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentSteps.runStep(incident.id(), "drop-things", "things", Map.of(), commander));
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentSteps.retry(incident.id(), halted.version(), null, commander))
			.withMessage("The approvals of this incident do not cover its current plan and runbook version.");
		assertThat(journal(incident.id())).filteredOn((run) -> run.stepId().equals("drop-things")).isEmpty();

		this.incidentApprovals.requestApproval(incident.id(), halted.version(), commander);
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
		Reviewed now = ReviewedPlans.current(this.approvals, incident.id());
		assertThat(now.planHash()).isEqualTo(halted.planHash());
		assertThat(this.approvals.review(this.approvals.find(incident.id()).orElseThrow().review()).target()).contains(elsewhere.jdbcUrl());
		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok", PASSWORD,
					new Reviewed(approvedPlan, now.runbookVersion(), List.of())))
			.withMessageContaining("You reviewed plan " + approvedPlan.substring(0, 12));
		assertThat(this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok", PASSWORD, now).approved())
			.isTrue();
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.APPROVED);
	}

	@Test
	void aRetryAsksTheGateAgain() throws Exception {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		try (var admin = new ScratchTargets(this.demo, this.targets).connect(this.target); var statement = admin.createStatement()) {
			statement.execute("DROP TABLE things");
		}
		assertThat(this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander).state())
			.isEqualTo(StepState.FAILED);
		this.approvals.withdraw(incident.id(), commander, "approval revoked for the test");
		try (var admin = new ScratchTargets(this.demo, this.targets).connect(this.target); var statement = admin.createStatement()) {
			statement.execute("CREATE TABLE things (n int)");
		}
		Incident halted = this.incidents.get(incident.id());

		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentSteps.retry(incident.id(), halted.version(), null, commander))
			.withMessage("The approvals of this incident do not cover its current plan and runbook version.");
		assertThat(journal(incident.id())).filteredOn((run) -> run.stepId().equals("add-column")).hasSize(1);
	}

	/** An approver's queue says how bad, what was seen, how long is left and what the plan destroys. */
	@Test
	void theQueueShowsSeveritySymptomTimeLeftAndWhatThePlanDestroys() throws Exception {
		Incident incident = awaitingApproval(SignedIn.as("commander", Role.COMMANDER));
		SecurityContextHolder.clearContext();
		String queue = this.mvc.perform(get("/approvals").with(user("lead").roles("TEAM_LEAD"))).andReturn().getResponse()
			.getContentAsString();
		assertThat(queue).contains("/approvals/" + incident.id(), "SEV2", "Queries fail", "Drop things", "data-deadline=\"");
		this.mvc.perform(get("/approvals/count").with(user("lead").roles("TEAM_LEAD")))
			.andExpect(content().string(org.hamcrest.Matchers.containsString("id=\"approval-count\"")))
			.andExpect(content().string(org.hamcrest.Matchers.matchesPattern("(?s).*waiting\">[1-9][0-9]*</span>.*")));
		SignedIn.as("commander", Role.COMMANDER);
		this.incidents.abort(incident.id(), this.incidents.get(incident.id()).version(), "Queue test done",
				SignedIn.as("commander", Role.COMMANDER));
	}

	/** The navigation's count reads the approver's queue only on a page that shows it: not for an API call or a poll. */
	@Test
	void onlyAPageShowingTheCountReadsTheApproversQueue() {
		List<String> api = ConsoleStatements.during(() -> asLead(get("/api/runbooks")));
		List<String> page = ConsoleStatements.during(() -> asLead(get("/profile")));

		assertThat(api).noneMatch((sql) -> sql.contains("approval_request"));
		assertThat(page).anyMatch((sql) -> sql.contains("approval_request"));
	}

	private void asLead(org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request) {
		try {
			this.mvc.perform(request.with(user("lead").roles("TEAM_LEAD"))).andExpect(status().isOk());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A running step shows how long it has run and what it waits for: the lock, and who holds it. */
	@Test
	void aRunningStepShowsTheLockItWaitsForAndWhoHoldsIt() throws Exception {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		try (var admin = new ScratchTargets(this.demo, this.targets).connect(this.target); var statement = admin.createStatement()) {
			admin.setAutoCommit(false);
			statement.execute("SET application_name = 'nightly-report'");
			statement.execute("LOCK TABLE things IN ACCESS EXCLUSIVE MODE");
			var step = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
				SecurityContextHolder.getContext().setAuthentication(commander);
				return this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander);
			});
			String page = "";
			for (int i = 0; i < 40 && !page.contains("waiting for a lock"); i++) {
				Thread.sleep(100);
				page = this.mvc.perform(get("/incidents/{id}", incident.id()).header("HX-Request", "true")
					.with(user("commander").roles("COMMANDER"))).andReturn().getResponse().getContentAsString();
			}
			assertThat(page).contains("Running for", "waiting for a lock (relation) held by pid", "nightly-report");
			admin.rollback();
			assertThat(step.get(10, java.util.concurrent.TimeUnit.SECONDS).state()).isEqualTo(StepState.SUCCEEDED);
		}
		String after = this.mvc.perform(get("/incidents/{id}", incident.id()).header("HX-Request", "true")
			.with(user("commander").roles("COMMANDER"))).andReturn().getResponse().getContentAsString();
		assertThat(after).doesNotContain("waiting for a lock");
	}

	/** Automatic steps run across phases until one needs a person: a confirmation, a checklist tick. */
	@Test
	void runningUntilAPersonIsNeededCrossesPhasesAndStopsAtConfirmationsAndChecklists() throws Exception {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		List<StepRun> first = this.incidentSteps.runUntilAPersonIsNeeded(incident.id(), commander);
		assertThat(first).extracting(StepRun::stepId).containsExactly("add-column");
		this.incidentSteps.runStep(incident.id(), "drop-things", "DROP things", Map.of(), commander);
		List<StepRun> second = this.incidentSteps.runUntilAPersonIsNeeded(incident.id(), commander);
		assertThat(second).extracting(StepRun::stepId).as("the verify phase ran; the after phase waits for a tick")
			.containsExactly("gone");
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.VERIFYING);
		assertThat(this.incidentSteps.runUntilAPersonIsNeeded(incident.id(), commander)).isEmpty();
	}

	/** A failed step shows the runbook's troubleshooting entries for its error, and only those. */
	@Test
	void aFailedStepShowsTheTroubleshootingEntriesForItsError() throws Exception {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		try (var admin = new ScratchTargets(this.demo, this.targets).connect(this.target); var statement = admin.createStatement()) {
			statement.execute("DROP TABLE things");
		}
		StepRun failed = this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander);
		assertThat(failed.sqlstate()).isEqualTo("42P01");
		this.mvc.perform(get("/incidents/{id}", incident.id()).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(org.hamcrest.Matchers.containsString("The things table is missing")))
			.andExpect(content().string(org.hamcrest.Matchers.containsString("Create it again, then retry.")))
			.andExpect(content().string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("A duplicate key"))));
	}

	/** A retry of a destructive step is a new decision to destroy data: its confirmation is typed again. */
	@Test
	void retryingADestructiveStepAsksForItsConfirmationAgain() throws Exception {
		Incident incident = approvedIncident();
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		assertThat(this.incidentSteps.runStep(incident.id(), "add-column", null, Map.of(), commander).state()).isEqualTo(StepState.SUCCEEDED);
		try (var admin = new ScratchTargets(this.demo, this.targets).connect(this.target); var statement = admin.createStatement()) {
			admin.setAutoCommit(false);
			statement.execute("LOCK TABLE things IN ACCESS EXCLUSIVE MODE");
			assertThat(this.incidentSteps.runStep(incident.id(), "drop-things", "DROP things", Map.of(), commander).state())
				.isEqualTo(StepState.FAILED);
			admin.rollback();
		}
		Incident halted = this.incidents.get(incident.id());
		assertThat(halted.state()).isEqualTo(IncidentState.HALTED);

		for (String typed : java.util.Arrays.asList(null, "", "drop things")) {
			assertThatExceptionOfType(IncidentRefused.class)
				.isThrownBy(() -> this.incidentSteps.retry(incident.id(), halted.version(), typed, commander))
				.withMessage("Retrying \"Drop things\" destroys data again: type DROP things to confirm it. Nothing was sent.");
		}
		assertThat(journal(incident.id())).filteredOn((run) -> run.stepId().equals("drop-things")).hasSize(1);
		this.mvc.perform(post("/incidents/{id}/retry", incident.id()).param("version", String.valueOf(halted.version()))
			.with(user("commander").roles("COMMANDER")).with(csrf()))
			.andExpect(status().is3xxRedirection())
			.andExpect(flash().attribute("error", org.hamcrest.Matchers.startsWith("Retrying \"Drop things\" destroys data again")));
		assertThat(journal(incident.id())).filteredOn((run) -> run.stepId().equals("drop-things")).hasSize(1);

		SignedIn.as("commander", Role.COMMANDER);
		assertThat(this.incidentSteps.retry(incident.id(), halted.version(), "DROP things", commander).state()).isEqualTo(StepState.SUCCEEDED);
	}

	/** A rejection is not a dead end: revise, request again, and the new round is decided afresh. */
	@Test
	void aRejectedPlanIsRevisedAndPutToANewRoundOfApproval() throws Exception {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = awaitingApproval(commander);
		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.REJECTED, "Freeze writes first, then ask again",
				PASSWORD, ReviewedPlans.current(this.approvals, incident.id()));
		SignedIn.as("commander", Role.COMMANDER);
		Incident rejected = this.incidents.get(incident.id());
		assertThat(rejected.state()).isEqualTo(IncidentState.REJECTED);
		this.mvc.perform(get("/incidents/{id}", incident.id()).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(org.hamcrest.Matchers.containsString("Freeze writes first, then ask again")))
			.andExpect(content().string(org.hamcrest.Matchers.containsString("form=\"revise-plan\"")));
		SignedIn.as("commander", Role.COMMANDER);

		Incident revised = this.incidentApprovals.revise(incident.id(), rejected.version(), commander);
		assertThat(revised.state()).isEqualTo(IncidentState.TRIAGE);
		assertThat(revised.answers()).extracting(Answer::answer).containsExactly("Yes");
		assertThat(details(incident.id(), "INCIDENT_REVISED")).contains("\"rejectedBy\": \"lead\"")
			.contains("Freeze writes first, then ask again");
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentApprovals.revise(incident.id(), this.incidents.get(incident.id()).version(), commander))
			.withMessageContaining("Only a rejected plan is revised.");

		Incident decided = this.incidents.confirmDecision(incident.id(), revised.version(), "Writes are frozen now", commander);
		this.incidentSteps.runPrechecks(incident.id(), commander);
		Incident again = this.incidentApprovals.requestApproval(incident.id(), this.incidents.get(incident.id()).version(), commander);
		assertThat(again.state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
		assertThat(decided.planHash()).isEqualTo(rejected.planHash());
		assertThat(this.approvals.status(incident.id()).orElseThrow().rejection()).as("the first round's rejection").isEmpty();

		lead = SignedIn.as("lead", Role.TEAM_LEAD);
		assertThat(this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "Writes frozen: go",
				PASSWORD, ReviewedPlans.current(this.approvals, incident.id())).approved()).isTrue();
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.APPROVED);
	}

	private String details(long incident, String action) {
		return String.join("\n", this.jdbc.sql("select details::text from audit_event where incident_id = ? and action = ? order by seq")
			.param(incident)
			.param(action)
			.query(String.class)
			.list());
	}

	private List<String> actions(long incident) {
		return this.jdbc.sql("select action from audit_event where incident_id = ? order by seq").param(incident).query(String.class).list();
	}


}
