package dev.backout.incident;

import java.util.List;
import java.util.Map;

import dev.backout.FaultyLink;
import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.ApprovalRefused;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.execution.Executions;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.execution.TargetUnreachable;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.TargetException;
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
	MockMvc mvc;

	@Autowired
	Executions executions;

	Target target;

	Authentication commander;

	InterruptedSteps interrupted;

	@BeforeEach
	void runbookAndTarget() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		this.target = InterruptedSteps.prepare(this.catalog, scratch, "fault-" + System.nanoTime() % 1_000_000);
		this.interrupted = new InterruptedSteps(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, scratch);
		this.commander = SignedIn.as("commander", Role.COMMANDER);
	}

	@AfterEach
	void cleanUp() throws Exception {
		SecurityContextHolder.clearContext();
		InterruptedSteps.forget();
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
			.isThrownBy(() -> this.incidentSteps.retry(incident.id(), halted.version(), null, this.commander))
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
		this.incidentSteps.runRestOfPhase(incident.id(), this.commander);
		this.incidentSteps.runRestOfPhase(incident.id(), this.commander);
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
	void aStepLeftInFlightOnATargetThatStaysUnreachableHaltsTheIncidentAndAPersonCanEndIt() throws Exception {
		FaultyLink link = ScratchTargets.linkTo(this.target);
		Incident incident = approved(through(link, this.target));
		assertThat(this.incidentSteps.runStep(incident.id(), "build-index", null, Map.of(), this.commander).state())
			.isEqualTo(StepState.SUCCEEDED);
		// A console died while the second (transactional) step was being sent; the network to the target then goes.
		this.interrupted.leaveStarted(incident.id(), "add-column", true);
		link.close();

		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/incidents/{id}", incident.id())
			.with(user("commander").roles("COMMANDER")))
			.andExpect(status().isOk());
		SignedIn.as("commander", Role.COMMANDER);
		StepRun pending = unknownRun(incident.id());
		assertThat(pending.beingSettled()).isTrue();
		assertThat(this.incidents.get(incident.id()).state()).as("not stuck in EXECUTING").isEqualTo(IncidentState.HALTED);
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/incidents/{id}", incident.id())
			.with(user("commander").roles("COMMANDER")))
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
				.string(org.hamcrest.Matchers.containsString("Its connection was lost")))
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
				.string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("every 3s"))));

		this.mvc.perform(post("/api/incidents/{id}/runs/{run}/settle", incident.id(), pending.id())
			.with(user("commander").roles("COMMANDER"))
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"reason\": \"forgot to say\"}"))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("applied")));
		this.mvc.perform(post("/api/incidents/{id}/runs/{run}/settle", incident.id(), pending.id())
			.with(user("commander").roles("COMMANDER"))
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"applied\": false, \"reason\": \"the database was restored from the snapshot\"}"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.state").value("FAILED"));
		SignedIn.as("commander", Role.COMMANDER);
		Incident halted = this.incidents.get(incident.id());
		assertThat(this.incidents.abort(incident.id(), halted.version(), "target decommissioned", this.commander).state())
			.isEqualTo(IncidentState.ABORTED);
	}

	/** A step in flight must be settled against the database it was sent to: its target is not repointed meanwhile. */
	@Test
	void aTargetIsNotRepointedWhileAStepIsInFlightOnIt() throws Exception {
		Incident incident = approved(this.target);
		assertThat(this.incidentSteps.runStep(incident.id(), "build-index", null, Map.of(), this.commander).state())
			.isEqualTo(StepState.SUCCEEDED);
		this.interrupted.leaveStarted(incident.id(), "add-column", true);
		assertThatExceptionOfType(TargetException.class)
			.isThrownBy(() -> this.targets.update(this.target.id(), Targets.TargetSpec.of(this.target)
				.withJdbcUrl(this.target.jdbcUrl().replace("localhost", "127.0.0.1")),
					ScratchTargets.COMMANDER))
			.withMessage("Incident " + incident.id() + " has a step in flight on " + this.target.name()
					+ ": change the target once the step has ended or been settled. Nothing was changed.");
		assertThat(this.targets.get(this.target.id()).jdbcUrl()).isEqualTo(this.target.jdbcUrl());
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.EXECUTING);
	}

	@Test
	void aRetryThatCannotReachTheTargetStaysHaltedAndTheIncidentCanStillBeAborted() throws Exception {
		FaultyLink link = ScratchTargets.linkTo(this.target);
		Incident incident = approved(through(link, this.target));
		try (var admin = new ScratchTargets(this.demo, this.targets).connect(this.target);
				var statement = admin.createStatement()) {
			statement.execute("DROP TABLE things");
		}
		StepRun failed = this.incidentSteps.runStep(incident.id(), "build-index", null, Map.of(), this.commander);
		assertThat(failed.state()).isEqualTo(StepState.FAILED);
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.HALTED);

		link.close();
		Incident halted = this.incidents.get(incident.id());
		assertThatExceptionOfType(TargetUnreachable.class)
			.isThrownBy(() -> this.incidentSteps.retry(incident.id(), halted.version(), null, this.commander))
			.withMessageStartingWith("Cannot reach target " + this.target.name() + "-link: nothing was sent");
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
			.isThrownBy(() -> this.incidentApprovals.requestApproval(decided.id(), decided.version(), this.commander))
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
					InterruptedSteps.PASSWORD, ReviewedPlans.current(this.approvals, second.id())))
			.withMessageContaining("busy with incident " + first.id());
		this.mvc.perform(post("/api/approvals/{id}/approve", second.id()).with(user("lead").roles("TEAM_LEAD"))
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"role\": \"TEAM_LEAD\", \"comment\": \"ok\", \"password\": \"demo-password-for-tests\", "
					+ "\"planHash\": \"%s\", \"runbookVersion\": \"%s\"}".formatted(
							ReviewedPlans.current(this.approvals, second.id()).planHash(),
							ReviewedPlans.current(this.approvals, second.id()).runbookVersion())))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("busy with incident " + first.id())));
		SignedIn.as("commander", Role.COMMANDER);
		assertThat(this.incidents.get(second.id()).state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
	}

	private void settleAsUnknown(long incidentId, String stepId) throws Exception {
		this.interrupted.leaveInterrupted(incidentId, this.target);
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/incidents/{id}", incidentId)
			.with(user("auditor").roles("AUDITOR"))).andExpect(status().isOk());
		SignedIn.as("commander", Role.COMMANDER);
		StepRun settled = unknownRun(incidentId);
		assertThat(settled.stepId()).isEqualTo(stepId);
		assertThat(settled.state()).isEqualTo(StepState.UNKNOWN);
	}

	private StepRun unknownRun(long incidentId) {
		List<StepRun> journal = this.executions.journal(incidentId);
		return journal.get(journal.size() - 1);
	}

	private Incident approved(Target on) {
		return this.interrupted.approved(on);
	}

	private void approve(Incident incident) {
		this.interrupted.approve(incident);
	}

	private Incident awaitingApproval(Target on) {
		return this.interrupted.awaitingApproval(on);
	}

	/** The same database, registered again to be reached only through {@code link}. */
	private Target through(FaultyLink link, Target original) {
		return new ScratchTargets(this.demo, this.targets).through(link, original, original.name() + "-link");
	}

	/** The same database registered again under another name and host spelling. */
	private Target twinOf(Target original) {
		return new ScratchTargets(this.demo, this.targets).register(original.name() + "-twin",
				original.jdbcUrl().replace("localhost", "127.0.0.1"));
	}

}
