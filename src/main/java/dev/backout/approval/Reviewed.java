package dev.backout.approval;

import java.util.List;

/**
 * What an approver says they reviewed: the plan hash, the runbook version and the steps asked to
 * be skipped, exactly as the review showed them. An approval counts only for that.
 */
public record Reviewed(String planHash, String runbookVersion, List<String> skipping) {

	public Reviewed {
		skipping = (skipping != null) ? List.copyOf(skipping) : List.of();
	}

	/** What {@code request} asks approvers to review now. */
	public static Reviewed of(ApprovalRequest request, Review review) {
		return new Reviewed(review.planHash(), request.runbookHash(), review.skipping());
	}

	String describe() {
		return "plan " + shortHash(this.planHash) + " of runbook version " + shortHash(this.runbookVersion)
				+ (this.skipping.isEmpty() ? "" : ", skipping " + String.join(", ", this.skipping));
	}

	private static String shortHash(String hash) {
		return (hash == null) ? "(none named)" : hash.substring(0, Math.min(12, hash.length()));
	}

}
