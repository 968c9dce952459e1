package dev.backout.approval;

/** For tests that approve what the review shows right now, as an approver who just read it. */
public final class ReviewedPlans {

	private ReviewedPlans() {
	}

	public static Reviewed current(Approvals approvals, long incidentId) {
		ApprovalRequest request = approvals.find(incidentId).orElseThrow();
		return Reviewed.of(request, approvals.review(request.review()));
	}

}
