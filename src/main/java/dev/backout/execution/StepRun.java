package dev.backout.execution;

import java.time.Duration;
import java.time.Instant;

/**
 * One attempt of one step, as the journal recorded it.
 *
 * @param countBefore for destructive steps, the rows at stake shown before it ran
 * @param checkValue for checks, the value found; for manual steps, the inputs given
 * @param notices server NOTICEs and what backups copied
 * @param resolution how a person or recovery settled an interrupted attempt
 * @param settlingSince when a STARTED attempt lost its connection and awaits its marker's verdict
 */
public record StepRun(long id, long incidentId, long targetId, String stepId, String phase, int attempt, String kind,
		boolean transactional, StepState state, Instant startedAt, Instant endedAt, Long rowsAffected,
		String countBefore, String checkValue, Boolean checkPassed, String notices, String sqlstate, String error,
		String actor, String resolution, Instant settlingSince) {

	/** Lost its connection; the console settles it from the target's marker. */
	public boolean beingSettled() {
		return this.state == StepState.STARTED && this.settlingSince != null;
	}

	public Duration duration() {
		return (this.endedAt != null) ? Duration.between(this.startedAt, this.endedAt) : null;
	}

}
