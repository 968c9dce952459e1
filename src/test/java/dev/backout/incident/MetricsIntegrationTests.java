package dev.backout.incident;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approvals;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * The console's own metrics on the Prometheus endpoint: steps by outcome and SQLSTATE, step
 * durations, the time to approval, trail appends, and what waits on people.
 */
@IntegrationTest
class MetricsIntegrationTests {

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

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void aFailedStepIsCountedWithItsSqlstateAndAnApprovalWithItsWait() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		Target target = InterruptedSteps.prepare(this.catalog, scratch, "metrics-" + System.nanoTime() % 1_000_000);
		Incident incident = new InterruptedSteps(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, scratch)
			.approved(target);
		try (Connection owner = DriverManager.getConnection(target.jdbcUrl(), this.demo.username(), this.demo.password());
				Statement statement = owner.createStatement()) {
			statement.execute("DROP TABLE things");
		}
		StepRun failed = this.incidentSteps.runStep(incident.id(), "build-index", null, java.util.Map.of(),
				SignedIn.as("commander", Role.COMMANDER));
		assertThat(failed.state()).isEqualTo(StepState.FAILED);

		String metrics = this.mvc.perform(get("/actuator/prometheus").with(user("admin").roles("ADMIN")))
			.andReturn().getResponse().getContentAsString();
		assertThat(metrics).containsPattern("backout_steps_total\\{[^}]*kind=\"SQL\"[^}]*outcome=\"FAILED\"[^}]*sqlstate=\"42P01\"[^}]*\\} [1-9]")
			.containsPattern("backout_step_duration_seconds_count\\{[^}]*outcome=\"FAILED\"[^}]*\\} [1-9]")
			.containsPattern("backout_approval_time_seconds_count(\\{[^}]*\\})? [1-9]")
			.containsPattern("backout_trail_append_seconds_count(\\{[^}]*\\})? [1-9]")
			.containsPattern("backout_approvals_waiting(\\{[^}]*\\})? [0-9]")
			.containsPattern("backout_incidents_overdue(\\{[^}]*\\})? [0-9]");
	}

}
