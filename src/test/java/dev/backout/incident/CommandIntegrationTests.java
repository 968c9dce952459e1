package dev.backout.incident;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.ApprovalRefused;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
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
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;

/**
 * Four eyes, whatever roles people hold (ASVS 4.0.3 V4.1.3, V1.4.4 segregation of duties): an
 * incident has one commander at a time, only they drive it, command changes hands only when
 * accepted, and no one who drove the incident may approve it.
 */
@IntegrationTest
class CommandIntegrationTests {

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	CommandHandover handover;

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
	MockMvc mvc;

	Target target;

	@BeforeEach
	void runbookAndTarget() throws Exception {
		this.target = InterruptedSteps.prepare(this.catalog, new ScratchTargets(this.demo, this.targets),
				"command-" + System.nanoTime() % 1_000_000);
	}

	@AfterEach
	void cleanUp() throws Exception {
		SecurityContextHolder.clearContext();
		InterruptedSteps.forget();
	}

	@Test
	void theIncidentPageOffersAndShowsAHandOver() throws Exception {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening("fault-test", this.target.id(), "Broken", Severity.SEV2,
				null), commander);
		this.mvc.perform(get("/incidents/{id}", incident.id()).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(containsString("Offer command")));
		this.mvc.perform(post("/incidents/{id}/command/offer", incident.id()).param("to", "oncall")
			.with(user("commander").roles("COMMANDER")).with(csrf()))
			.andExpect(flash().attribute("message", "Command offered to oncall: it changes hands when they accept."));
		this.mvc.perform(get("/incidents/{id}", incident.id()).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(containsString("Command offered to <strong>oncall</strong>")));
	}

	@Test
	void anotherCommanderCannotDriveSomeoneElsesIncidentWhateverTheirRoles() {
		Authentication alice = SignedIn.as("alice", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening("fault-test", this.target.id(), "Broken", Severity.SEV2,
				null), alice);
		Authentication mallory = SignedIn.as("mallory", Role.COMMANDER, Role.TEAM_LEAD, Role.ON_CALL);

		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", mallory))
			.withMessage("Only the incident's commander, alice, drives incident " + incident.id()
					+ ": ask them to hand command over to you.");
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidentApprovals.recordLeadUnreachable(incident.id(), incident.version(), "no answer", mallory));
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidents.abort(incident.id(), incident.version(), "mine now", mallory));
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.handover.accept(incident.id(), incident.version(), mallory))
			.withMessage("Nobody offered you command of incident " + incident.id() + ".");
		assertThat(this.incidents.get(incident.id()).state()).isEqualTo(IncidentState.TRIAGE);
	}

	@Test
	void commandChangesHandsOnlyWhenTheSuccessorAcceptsAndNeitherMayThenApprove() {
		Authentication alice = SignedIn.as("alice", Role.COMMANDER, Role.TEAM_LEAD);
		Incident incident = this.incidents.open(new Incidents.Opening("fault-test", this.target.id(), "Broken", Severity.SEV2,
				null), alice);
		Incident answered = this.incidents.answer(incident.id(), incident.version(), "broken", "Yes", alice);
		Incident decided = this.incidents.confirmDecision(incident.id(), answered.version(), null, alice);
		Incident awaiting = this.incidentApprovals.requestApproval(incident.id(), decided.version(), alice);
		this.handover.offer(incident.id(), "bob", alice);
		assertThat(this.incidents.get(incident.id()).commander()).as("offered, not yet accepted").isEqualTo("alice");

		Authentication carol = SignedIn.as("carol", Role.COMMANDER);
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.handover.accept(incident.id(), awaiting.version(), carol))
			.withMessage("Command of incident " + incident.id() + " was offered to bob, not to you.");
		Authentication bob = SignedIn.as("bob", Role.COMMANDER, Role.TEAM_LEAD);
		Incident handedOver = this.handover.accept(incident.id(), awaiting.version(), bob);
		assertThat(handedOver.commander()).isEqualTo("bob");
		SignedIn.as("alice", Role.COMMANDER, Role.TEAM_LEAD);
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.incidents.abort(incident.id(), handedOver.version(), "still mine?", alice))
			.withMessageContaining("Only the incident's commander, bob");

		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), alice, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok",
					InterruptedSteps.PASSWORD, ReviewedPlans.current(this.approvals, incident.id())))
			.withMessageStartingWith("You are this incident's commander");
		assertThatExceptionOfType(ApprovalRefused.class)
			.isThrownBy(() -> this.approvals.decide(incident.id(), bob, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok",
					InterruptedSteps.PASSWORD, ReviewedPlans.current(this.approvals, incident.id())))
			.withMessage("You took part in driving this incident (as its commander, or for them): someone else must approve it.");
		assertThat(this.approvals.eligibleRoles(this.approvals.find(incident.id()).orElseThrow(), alice)).isEmpty();

		Authentication lead = SignedIn.as("lead", Role.TEAM_LEAD);
		assertThat(this.approvals.decide(incident.id(), lead, Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok",
				InterruptedSteps.PASSWORD, ReviewedPlans.current(this.approvals, incident.id())).approved()).isTrue();
		assertThat(this.jdbc.sql("select action from audit_event where incident_id = ? order by seq").param(incident.id())
			.query(String.class).list()).containsSubsequence("COMMAND_OFFERED", "COMMAND_ACCEPTED", "APPROVAL_GIVEN");

		// The approver cannot then take command: they would drive what they approved.
		Authentication bobAgain = SignedIn.as("bob", Role.COMMANDER, Role.TEAM_LEAD);
		this.handover.offer(incident.id(), "lead", bobAgain);
		Authentication leadAsCommander = SignedIn.as("lead", Role.COMMANDER, Role.TEAM_LEAD);
		assertThatExceptionOfType(IncidentRefused.class)
			.isThrownBy(() -> this.handover.accept(incident.id(), this.incidents.get(incident.id()).version(),
					leadAsCommander))
			.withMessageStartingWith("You decided on this incident's approval");
	}

}
