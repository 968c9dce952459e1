package dev.backout.approval;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.backout.security.Role;

/**
 * The authorization rule of a runbook applied to an incident's approvals: the roles that count,
 * how many, when the fallback role counts, and that the commander never approves their own
 * incident unless the runbook allows it. Pure: the same inputs always give the same answer.
 */
public final class ApprovalGate {

	private ApprovalGate() {
	}

	/**
	 * @param counted approvers whose current approval counts
	 * @param stale approvals given for an earlier plan or runbook version
	 */
	public record Status(boolean approved, Optional<Approval> rejection, List<String> counted, int needed,
			List<Approval> stale, boolean fallbackActive) {

		public int missing() {
			return Math.max(0, this.needed - this.counted.size());
		}

	}

	public static Status evaluate(ApprovalRequest request, List<Approval> approvals, Instant now) {
		boolean fallback = fallbackActive(request, approvals, now);
		Set<String> counted = new LinkedHashSet<>();
		List<Approval> stale = new ArrayList<>();
		Optional<Approval> rejection = Optional.empty();
		for (Approval approval : approvals) {
			if (!approval.currentFor(request)) {
				stale.add(approval);
				continue;
			}
			if (approval.decision() == Approval.Decision.REJECTED) {
				rejection = Optional.of(approval);
			}
			else if (whyNot(request, approval.approver(), approval.role(), fallback).isEmpty()) {
				counted.add(approval.approver());
			}
		}
		boolean approved = rejection.isEmpty() && counted.size() >= request.approvalsNeeded();
		return new Status(approved, rejection, List.copyOf(counted), request.approvalsNeeded(), stale, fallback);
	}

	/** Why {@code user} may not approve as {@code role}, or empty when they may. */
	public static Optional<String> whyNot(ApprovalRequest request, String user, Role role, boolean fallbackActive) {
		if (user.equals(request.commander()) && !request.commanderMayApprove()) {
			return Optional.of("You are this incident's commander: the commander cannot approve their own incident.");
		}
		if (request.drivers().contains(user) && !request.commanderMayApprove()) {
			return Optional.of("You took part in driving this incident (as its commander, or for them): someone else "
					+ "must approve it.");
		}
		if (request.approvers().contains(role)) {
			return Optional.empty();
		}
		if (role == request.fallbackRole()) {
			return fallbackActive ? Optional.empty()
					: Optional.of(role.label() + " may approve only when the commander has recorded the team lead "
							+ "unreachable" + ((request.fallbackShare() != null) ? ", or once "
									+ Math.round(request.fallbackShare() * 100) + "% of the deadline passed without a "
									+ "team-lead answer" : "") + ".");
		}
		return Optional.of("The " + role.label() + " role does not count for this runbook.");
	}

	/**
	 * The fallback role counts when the team lead is recorded unreachable, or when the
	 * configured share of the deadline passed without an answer from a team lead.
	 */
	public static boolean fallbackActive(ApprovalRequest request, List<Approval> approvals, Instant now) {
		if (request.fallbackRole() == null) {
			return false;
		}
		if (request.leadUnreachableReason() != null) {
			return true;
		}
		if (request.fallbackShare() == null || request.deadlineAt() == null) {
			return false;
		}
		Duration whole = Duration.between(request.clockStartedAt(), request.deadlineAt());
		Instant due = request.clockStartedAt().plusMillis((long) (whole.toMillis() * request.fallbackShare()));
		boolean leadAnswered = approvals.stream()
			.anyMatch((a) -> a.role() == Role.TEAM_LEAD && a.currentFor(request));
		return !now.isBefore(due) && !leadAnswered;
	}

}
