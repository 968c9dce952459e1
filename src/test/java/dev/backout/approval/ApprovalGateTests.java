package dev.backout.approval;

import java.time.Instant;
import java.util.List;

import dev.backout.security.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gate's rules, one by one, without a database: the gate is a pure function.
 */
class ApprovalGateTests {

	static final Instant START = Instant.parse("2026-11-21T10:00:00Z");

	static final Instant DEADLINE = START.plusSeconds(30 * 60);

	@Test
	void oneApprovalFromAListedRoleApproves() {
		ApprovalRequest request = request(1, null, null);
		assertThat(ApprovalGate.evaluate(request, List.of(approval("lead", Role.TEAM_LEAD, request)), START).approved()).isTrue();
		assertThat(ApprovalGate.evaluate(request, List.of(), START).missing()).isEqualTo(1);
	}

	@Test
	void twoApprovalsNeedTwoDifferentPeople() {
		ApprovalRequest request = request(2, null, null);
		List<Approval> samePerson = List.of(approval("lead", Role.TEAM_LEAD, request), approval("lead", Role.CTO, request));
		assertThat(ApprovalGate.evaluate(request, samePerson, START).approved()).isFalse();
		List<Approval> twoPeople = List.of(approval("lead", Role.TEAM_LEAD, request), approval("cto", Role.CTO, request));
		assertThat(ApprovalGate.evaluate(request, twoPeople, START).approved()).isTrue();
	}

	@Test
	void theCommanderNeverCountsUnlessTheRunbookAllowsIt() {
		ApprovalRequest request = request(1, null, null);
		assertThat(ApprovalGate.evaluate(request, List.of(approval("commander", Role.TEAM_LEAD, request)), START).approved()).isFalse();
		assertThat(ApprovalGate.whyNot(request, "commander", Role.CTO, false)).isPresent();
		ApprovalRequest allowed = new ApprovalRequest(7, "rb", "Runbook", "v1", "k1", "demo", "commander", START, START, DEADLINE,
				List.of(Role.TEAM_LEAD, Role.CTO), 1, Role.ON_CALL, null, true, null, "{}", null, ApprovalRequest.Status.OPEN, java.util.List.of());
		assertThat(ApprovalGate.evaluate(allowed, List.of(approval("commander", Role.TEAM_LEAD, allowed)), START).approved()).isTrue();
	}

	@Test
	void theFallbackRoleCountsOnlyWhenTheTeamLeadIsRecordedUnreachable() {
		ApprovalRequest normal = request(1, null, null);
		assertThat(ApprovalGate.evaluate(normal, List.of(approval("oncall", Role.ON_CALL, normal)), START).approved()).isFalse();
		ApprovalRequest unreachable = request(1, "paged twice, no answer", null);
		assertThat(ApprovalGate.evaluate(unreachable, List.of(approval("oncall", Role.ON_CALL, unreachable)), START).approved()).isTrue();
	}

	@Test
	void theFallbackRoleCountsOnceTheDeadlineShareHasPassedWithoutATeamLeadAnswer() {
		ApprovalRequest request = request(1, null, 0.5);
		List<Approval> onCall = List.of(approval("oncall", Role.ON_CALL, request));
		assertThat(ApprovalGate.evaluate(request, onCall, START.plusSeconds(14 * 60)).approved()).isFalse();
		assertThat(ApprovalGate.evaluate(request, onCall, START.plusSeconds(15 * 60)).approved()).isTrue();
		List<Approval> leadRejected = List.of(rejection("lead", Role.TEAM_LEAD, request));
		assertThat(ApprovalGate.fallbackActive(request, leadRejected, START.plusSeconds(20 * 60))).isFalse();
	}

	@Test
	void aRoleThatIsNotListedNeverCounts() {
		ApprovalRequest request = request(1, null, null);
		assertThat(ApprovalGate.evaluate(request, List.of(approval("auditor", Role.AUDITOR, request)), START).approved()).isFalse();
		assertThat(ApprovalGate.whyNot(request, "auditor", Role.AUDITOR, true)).hasValue("The Auditor role does not count for this runbook.");
	}

	@Test
	void approvalsOfAnEarlierPlanOrRunbookVersionAreStale() {
		ApprovalRequest request = request(1, null, null);
		Approval earlierPlan = new Approval(1, 7, "lead", Role.TEAM_LEAD, Approval.Decision.APPROVED, "ok", "v1", "old-key", START);
		Approval earlierVersion = new Approval(2, 7, "cto", Role.CTO, Approval.Decision.APPROVED, "ok", "v0", "k1", START);
		ApprovalGate.Status status = ApprovalGate.evaluate(request, List.of(earlierPlan, earlierVersion), START);
		assertThat(status.approved()).isFalse();
		assertThat(status.stale()).containsExactly(earlierPlan, earlierVersion);
	}

	@Test
	void aCurrentRejectionStopsTheIncidentWhateverTheApprovals() {
		ApprovalRequest request = request(1, null, null);
		ApprovalGate.Status status = ApprovalGate.evaluate(request,
				List.of(approval("lead", Role.TEAM_LEAD, request), rejection("cto", Role.CTO, request)), START);
		assertThat(status.approved()).isFalse();
		assertThat(status.rejection()).isPresent();
	}

	private static ApprovalRequest request(int needed, String leadUnreachable, Double share) {
		return new ApprovalRequest(7, "rb", "Runbook", "v1", "k1", "demo", "commander", START, START, DEADLINE,
				List.of(Role.TEAM_LEAD, Role.CTO), needed, Role.ON_CALL, share, false, leadUnreachable, "{}", null,
				ApprovalRequest.Status.OPEN, java.util.List.of());
	}

	private static Approval approval(String who, Role role, ApprovalRequest request) {
		return new Approval(1, 7, who, role, Approval.Decision.APPROVED, "ok", request.runbookHash(), request.approvalKey(), START);
	}

	private static Approval rejection(String who, Role role, ApprovalRequest request) {
		return new Approval(1, 7, who, role, Approval.Decision.REJECTED, "no", request.runbookHash(), request.approvalKey(), START);
	}

}
