package dev.backout.incident;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state rules the pages and the workflow share, without a database.
 */
class IncidentStateTests {

	@Test
	void theRulesThePagesAndTheWorkflowShare() {
		assertThat(EnumSet.allOf(IncidentState.class).stream().filter(IncidentState::runbookSwitchable))
			.containsExactlyInAnyOrder(IncidentState.TRIAGE, IncidentState.PRECHECK, IncidentState.AWAITING_APPROVAL, IncidentState.APPROVED);
		assertThat(EnumSet.allOf(IncidentState.class).stream().filter(IncidentState::decisionClockRuns))
			.as("the deadline counts only until approval, and not once anything ran")
			.noneMatch((state) -> state.executing() || state.terminal() || state == IncidentState.HALTED);
		assertThat(IncidentState.REJECTED.abortable()).isTrue();
		assertThat(IncidentState.REJECTED.terminal()).as("a rejection is not a dead end").isFalse();
		assertThat(EnumSet.allOf(IncidentState.class).stream().filter(IncidentState::awaitsApprovers))
			.containsExactlyInAnyOrder(IncidentState.PRECHECK, IncidentState.AWAITING_APPROVAL);
	}

	@Test
	void theProgressRailMarksWhereTheIncidentIs() {
		assertThat(Progress.of(IncidentState.TRIAGE, true).stages()).extracting(Progress.Stage::status)
			.startsWith(Progress.Status.CURRENT, Progress.Status.TODO);
		assertThat(Progress.of(IncidentState.HALTED, true).stages().get(3))
			.isEqualTo(new Progress.Stage("Execute", Progress.Status.CURRENT));
		assertThat(Progress.of(IncidentState.REJECTED, true).stages().get(2).status()).isEqualTo(Progress.Status.CURRENT);
		assertThat(Progress.of(IncidentState.CLOSED, false).stages()).extracting(Progress.Stage::status)
			.containsExactly(Progress.Status.DONE, Progress.Status.SKIPPED, Progress.Status.SKIPPED, Progress.Status.SKIPPED,
					Progress.Status.SKIPPED, Progress.Status.DONE);
		assertThat(Progress.of(IncidentState.COMPLETED, true).stages()).extracting(Progress.Stage::status)
			.containsOnly(Progress.Status.DONE);
	}

}
