package dev.backout.incident;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.ApprovalRefused;
import dev.backout.approval.Approvals;
import dev.backout.execution.Executions;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.execution.TargetUnreachable;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Environment;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Every incident can reach an end, whatever the fault: an UNKNOWN step is settled by a person
 * (page and API), a target that cannot be reached halts instead of trapping the incident, and a
 * second incident on the same database, through any registration, is refused in plain words.
 */
@IntegrationTest
class IncidentFaultIntegrationTests {

	static final String RUNBOOK = """
			id: fault-test
			title: Fault workflow test
			migration: { id: "9", tool: sql }
			risk: LOW
			summary: A runbook with a step outside a transaction.
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
			  approvers: [TEAM_LEAD]
			  deadline: 30m
			phases:
			  execute:
			    steps:
			      - id: build-index
			        title: Build the index
			        sql: CREATE INDEX CONCURRENTLY IF NOT EXISTS things_n ON things (n);
			        transaction: false
			      - id: add-column
			        title: Add a column
			        sql: ALTER TABLE things ADD COLUMN IF NOT EXISTS extra int;
			  verify:
			    steps:
			      - id: index-there
			        title: The index exists
			        check: SELECT count(*) FROM pg_indexes WHERE indexname = 'things_n'
			        expect: { equals: 1 }
			""";

	@Autowired
	Incidents incidents;

	@Autowired
	Approvals approvals;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@Autowired
	MockMvc mvc;

	@Autowired
	Executions executions;

	Target target;

	Authentication commander;

	@BeforeEach
	void runbookAndTarget() throws Exception {
		Path runbooks = Path.of("target", "test-runbooks");
		Files.createDirectories(runbooks);
		Files.writeString(runbooks.resolve("fault-test.yaml"), RUNBOOK);
		this.catalog.reload(null);
		this.target = new ScratchTargets(this.demo, this.targets).create("fault-" + System.nanoTime() % 1_000_000,
				"CREATE TABLE things (n int); INSERT INTO things SELECT generate_series(1, 20)");
		this.commander = SignedIn.as("commander", Role.COMMANDER);
	}

	@AfterEach
	void cleanUp() throws IOException {
		SecurityContextHolder.clearContext();
		Files.deleteIfExists(Path.of("target", "test-runbooks", "fault-test.yaml"));
	}

	@Test
	void anUnknownStepHaltsTheIncidentAndAPersonSettlesItFromTheApiThenTheIncidentCompletes() throws Exception {
		Incident incident = approved(this.target);
		// The console "dies" after the index was built but before it recorded that: a non-transactional step.
		settleAsUnknown(incident.id(), "build-index");

		Incident halted = this.incidents.get(incident.id());
		assertThat(halted.state()).isEqualTo(IncidentState.HALTED);
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidents.abort(incident.id(), halted.version(), "give up", this.commander))
			.withMessageContaining("Settle \"build-index\" first");
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidents.retry(incident.id(), halted.version(), this.commander))
			.withMessageContaining("outcome is unknown");

		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/incidents/{id}", incident.id())
			.with(user("commander").roles("COMMANDER")))
			.andExpect(status().isOk())
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
				.string(org.hamcrest.Matchers.containsString("Settle the step")));
		this.mvc.perform(post("/api/incidents/{id}/evidence", incident.id()).with(user("commander").roles("COMMANDER")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[0].stepId").value("index-there"))
			.andExpect(jsonPath("$[0].passed").value(true));
		long runId = unknownRun(incident.id()).id();
		this.mvc.perform(post("/api/incidents/{id}/runs/{run}/settle", incident.id(), runId)
			.with(user("commander").roles("COMMANDER"))
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"applied\": true, \"reason\": \"the verification check finds the index\"}"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.state").value("SUCCEEDED"));

		SignedIn.as("commander", Role.COMMANDER);
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.EXECUTING);
		this.incidents.runRestOfPhase(incident.id(), this.commander);
		this.incidents.runRestOfPhase(incident.id(), this.commander);
		Incident verifying = this.incidents.get(incident.id());
		assertThat(verifying.state()).isEqualTo(IncidentState.VERIFYING);
		assertThat(this.incidents.close(incident.id(), verifying.version(), "Done.", this.commander).state())
			.isEqualTo(IncidentState.COMPLETED);
	}

	@Test
	void anUnknownStepSettledAsNotAppliedFromThePageLetsTheIncidentBeAborted() throws Exception {
		Incident incident = approved(this.target);
		settleAsUnknown(incident.id(), "build-index");
		long runId = unknownRun(incident.id()).id();

		this.mvc.perform(post("/incidents/{id}/runs/{run}/settle", incident.id(), runId)
			.with(user("commander").roles("COMMANDER"))
			.with(csrf())
			.param("applied", "no")
			.param("reason", "no index found"))
			.andExpect(status().is3xxRedirection());
		SignedIn.as("commander", Role.COMMANDER);
		Incident halted = this.incidents.get(incident.id());
		assertThat(halted.state()).isEqualTo(IncidentState.HALTED);
		assertThat(this.incidents.abort(incident.id(), halted.version(), "fix forward instead", this.commander).state())
			.isEqualTo(IncidentState.ABORTED);
	}

	@Test
	void aRetryThatCannotReachTheTargetStaysHaltedAndTheIncidentCanStillBeAborted() throws Exception {
		Incident incident = approved(this.target);
		try (var admin = new ScratchTargets(this.demo, this.targets).connect(this.target);
				var statement = admin.createStatement()) {
			statement.execute("DROP TABLE things");
		}
		StepRun failed = this.incidents.runStep(incident.id(), "build-index", null, Map.of(), this.commander);
		assertThat(failed.state()).isEqualTo(StepState.FAILED);
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.HALTED);

		repoint(this.target, "jdbc:postgresql://127.0.0.1:1/nothing");
		Incident halted = this.incidents.get(incident.id());
		assertThatExceptionOfType(TargetUnreachable.class)
			.isThrownBy(() -> this.incidents.retry(incident.id(), halted.version(), this.commander))
			.withMessageStartingWith("Cannot reach target " + this.target.name() + ": nothing was sent");
		Incident still = this.incidents.get(incident.id());
		assertThat(still.state()).isEqualTo(IncidentState.HALTED);
		assertThat(this.incidents.abort(incident.id(), still.version(), "target gone", this.commander).state())
			.isEqualTo(IncidentState.ABORTED);
	}

	@Test
	void aSecondIncidentOnTheSameDatabaseThroughAnotherRegistrationIsRefusedInPlainWords() throws Exception {
		Incident first = approved(this.target);
		Target twin = twinOf(this.target);
		Incident second = this.incidents.open(new Incidents.Opening("fault-test", twin.id(), "Also broken", Severity.SEV2, null),
				this.commander);
		second = this.incidents.answer(second.id(), second.version(), "broken", "Yes", this.commander);
		Incident decided = this.incidents.confirmDecision(second.id(), second.version(), null, this.commander);

		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidents.requestApproval(decided.id(), decided.version(), this.commander))
			.withMessage("Target " + twin.name() + " is busy with incident " + first.id()
					+ " (approved) on the same database: one incident runs on a database at a time.");
		this.mvc.perform(post("/api/incidents/{id}/approval-request", decided.id()).with(user("commander").roles("COMMANDER"))
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"version\": " + decided.version() + "}"))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("busy with incident " + first.id())));
	}

	@Test
	void approvingWhileAnotherIncidentHoldsTheDatabaseIsRefusedNotA500() throws Exception {
		Incident first = awaitingApproval(this.target);
		Target twin = twinOf(this.target);
		Incident second = awaitingApproval(twin);
		approve(first);

		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(second.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok",
					"demo-password-for-tests"))
			.withMessageContaining("busy with incident " + first.id());
		this.mvc.perform(post("/api/approvals/{id}/approve", second.id()).with(user("lead").roles("TEAM_LEAD"))
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"role\": \"TEAM_LEAD\", \"comment\": \"ok\", \"password\": \"demo-password-for-tests\"}"))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("busy with incident " + first.id())));
		SignedIn.as("commander", Role.COMMANDER);
		assertThat(this.incidents.get(second.id()).state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
	}

	private void settleAsUnknown(long incidentId, String stepId) throws Exception {
		// Simulates a console death mid-step outside a transaction: the journal row stays STARTED
		// with no live executor, which is exactly what a killed console leaves behind.
		try (var console = new ScratchTargets(this.demo, this.targets).connect("backout"); var statement = console.createStatement()) {
			statement.execute("""
					INSERT INTO step_run (incident_id, target_id, plan_hash, phase, step_id, attempt, kind, transactional,
					  state, started_at, actor)
					SELECT id, target_id, plan_hash, 'EXECUTE', '%s', 1, 'SQL', false, 'STARTED', now(), 'commander'
					FROM incident WHERE id = %d""".formatted(stepId, incidentId));
			statement.execute("UPDATE incident SET state = 'EXECUTING', version = version + 1 WHERE id = " + incidentId);
		}
		try (var admin = new ScratchTargets(this.demo, this.targets).connect(this.target); var statement = admin.createStatement()) {
			statement.execute("CREATE INDEX IF NOT EXISTS things_n ON things (n)");
		}
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/incidents/{id}", incidentId)
			.with(user("auditor").roles("AUDITOR"))).andExpect(status().isOk());
		SignedIn.as("commander", Role.COMMANDER);
		assertThat(unknownRun(incidentId).state()).isEqualTo(StepState.UNKNOWN);
	}

	private StepRun unknownRun(long incidentId) {
		List<StepRun> journal = this.executions.journal(incidentId);
		return journal.get(journal.size() - 1);
	}

	private Incident approved(Target on) {
		Incident incident = awaitingApproval(on);
		approve(incident);
		SignedIn.as("commander", Role.COMMANDER);
		return this.incidents.get(incident.id());
	}

	private void approve(Incident incident) {
		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		assertThat(this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "Go ahead",
				"demo-password-for-tests").approved()).isTrue();
		SignedIn.as("commander", Role.COMMANDER);
	}

	private Incident awaitingApproval(Target on) {
		SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening("fault-test", on.id(), "Queries fail", Severity.SEV2, null),
				this.commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", this.commander);
		incident = this.incidents.confirmDecision(incident.id(), incident.version(), null, this.commander);
		return this.incidents.requestApproval(incident.id(), incident.version(), this.commander);
	}

	/** The same database registered again under another name and host spelling. */
	private Target twinOf(Target original) {
		String url = original.jdbcUrl().replace("localhost", "127.0.0.1");
		return this.targets.register(new Targets.TargetSpec(original.name() + "-twin", "scratch", Environment.STAGING, url,
				this.demo.username(), this.demo.password()), ScratchTargets.COMMANDER);
	}

	private void repoint(Target target, String url) {
		this.targets.update(target.id(), new Targets.TargetSpec(target.name(), target.aliasGroup(), target.environment(), url,
				target.username(), null), ScratchTargets.COMMANDER);
	}

}
