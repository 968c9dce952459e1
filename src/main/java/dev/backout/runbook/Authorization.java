package dev.backout.runbook;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonIgnore;

import dev.backout.security.Role;

/**
 * Who may approve a rollback of this runbook, how many must, and by when.
 */
public record Authorization(List<Role> approvers, Integer approvals, Fallback fallback, String deadline,
		Boolean commanderMayApprove, Rehearsal rehearsal) {

	public Authorization {
		approvers = (approvers != null) ? List.copyOf(approvers) : List.of();
		approvals = (approvals != null) ? approvals : 1;
		commanderMayApprove = Boolean.TRUE.equals(commanderMayApprove);
	}

	@JsonIgnore
	public Duration deadlineDuration() {
		return Durations.parse(this.deadline);
	}

	/**
	 * The rule in plain words, e.g. "1 approval from Team lead or CTO; On-call engineer may
	 * approve when the team lead is unreachable; decide within 30 minutes; the commander cannot
	 * approve."
	 */
	public String describe() {
		StringBuilder text = new StringBuilder();
		text.append(this.approvals).append(this.approvals == 1 ? " approval from " : " approvals from ");
		text.append(this.approvers.stream().map(Role::label).collect(Collectors.joining(" or ")));
		if (this.fallback != null) {
			text.append("; ").append(this.fallback.role().label()).append(" may approve when the team lead is unreachable");
			if (this.fallback.afterDeadlineShare() != null) {
				text.append(" or ")
					.append(Math.round(this.fallback.afterDeadlineShare() * 100))
					.append("% of the deadline has passed without a team-lead answer");
			}
		}
		if (this.deadline != null) {
			text.append("; decide within ").append(Durations.words(deadlineDuration()));
		}
		if (this.rehearsal != null && Boolean.TRUE.equals(this.rehearsal.required())) {
			text.append("; a passing rehearsal of the plan")
				.append((this.rehearsal.within() != null) ? " within " + Durations.words(this.rehearsal.withinDuration()) : "")
				.append(" comes first");
		}
		text.append(this.commanderMayApprove ? "; the commander may approve." : "; the commander cannot approve.");
		return text.toString();
	}

	/**
	 * @param when the condition under which the fallback role counts (TEAM_LEAD_UNREACHABLE)
	 * @param afterDeadlineShare also counts once this share of the deadline passed unanswered
	 */
	public record Fallback(Role role, String when, Double afterDeadlineShare) {
	}

	/**
	 * @param required approval is requested only after the plan passed a rehearsal (or with a reason
	 * the approvers see)
	 * @param within how recent that rehearsal must be (the console's default when absent)
	 */
	public record Rehearsal(Boolean required, String within) {

		@JsonIgnore
		public Duration withinDuration() {
			return Durations.parse(this.within);
		}

	}

}
