package dev.backout.incident;

import java.time.Instant;
import java.util.List;

import dev.backout.runbook.Outcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The incident's transitions guard themselves, without a database (as spring-restbucks' Order does).
 */
class IncidentTests {

	private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

	@Test
	void onlyARejectedPlanIsRevisedAndItKeepsItsAnswers() {
		Incident rejected = in(IncidentState.REJECTED);
		Incident.Transition revised = rejected.revise();
		assertThat(revised.incident().state()).isEqualTo(IncidentState.TRIAGE);
		assertThat(revised.incident().answers()).isEqualTo(rejected.answers());
		assertThat(revised.event()).isEqualTo("INCIDENT_REVISED");
		for (IncidentState other : IncidentState.values()) {
			if (other != IncidentState.REJECTED) {
				assertThatExceptionOfType(IncidentRefused.class).isThrownBy(() -> in(other).revise())
					.withMessageStartingWith("Only a rejected plan is revised.");
			}
		}
	}

	@Test
	void onlyARequestAwaitingApprovalIsRejected() {
		assertThat(in(IncidentState.AWAITING_APPROVAL).reject()).map((t) -> t.incident().state()).contains(IncidentState.REJECTED);
		assertThat(in(IncidentState.APPROVED).reject()).as("a late rejection changes nothing").isEmpty();
	}

	@Test
	void anIncidentIsAbortedForAReasonAndNeverWhileAStepMayRun() {
		Incident.Transition aborted = in(IncidentState.HALTED).abort("  Rolled forward instead ", NOW);
		assertThat(aborted.incident().state()).isEqualTo(IncidentState.ABORTED);
		assertThat(aborted.incident().summary()).isEqualTo("Rolled forward instead");
		assertThat(aborted.incident().closedAt()).isEqualTo(NOW);
		assertThatExceptionOfType(IncidentRefused.class).isThrownBy(() -> in(IncidentState.EXECUTING).abort("stop", NOW))
			.withMessageContaining("halt it first");
		assertThatExceptionOfType(IncidentRefused.class).isThrownBy(() -> in(IncidentState.TRIAGE).abort(" ", NOW))
			.withMessage("Say why the incident is aborted.");
	}

	@Test
	void aMovedPlanTakesBackTheApprovalItNeeds() {
		assertThat(in(IncidentState.AWAITING_APPROVAL).replanned("new").state()).isEqualTo(IncidentState.PRECHECK);
		assertThat(in(IncidentState.EXECUTING).replanned("new").state()).isEqualTo(IncidentState.HALTED);
		assertThat(in(IncidentState.APPROVED).replanned("new").state()).isEqualTo(IncidentState.HALTED);
		assertThat(in(IncidentState.PRECHECK).replanned("new")).satisfies((i) -> {
			assertThat(i.state()).isEqualTo(IncidentState.PRECHECK);
			assertThat(i.planHash()).isEqualTo("new");
		});
	}

	@Test
	void onlyTheCommanderDrives() {
		assertThatExceptionOfType(IncidentRefused.class).isThrownBy(() -> in(IncidentState.TRIAGE).requireCommander("lead"))
			.withMessageContaining("Only the incident's commander, commander, drives incident 7");
		in(IncidentState.TRIAGE).requireCommander("commander");
	}

	private static Incident in(IncidentState state) {
		return new Incident(7, "rb", "hash", "Runbook", 1, "commander", "Broken", Severity.SEV2, NOW, NOW, NOW.plusSeconds(1800),
				false, state, List.of(new Answer("q", "Is it broken?", "Yes")), Outcome.ROLLBACK, List.of(), null, "plan", List.of(),
				null, null, null, null, 3);
	}

}
