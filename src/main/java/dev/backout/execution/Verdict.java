package dev.backout.execution;

/**
 * What an attempt whose answer was lost amounts to, once its session on the target has ended:
 * the one rule both the executor (right after the loss) and {@link Recovery} (later) apply.
 */
record Verdict(StepState state, String reason) {

	static Verdict of(String kind, boolean transactional, boolean markerOfThisAttempt) {
		if (kind.equals("CHECK")) {
			return new Verdict(StepState.FAILED, "A check only reads: it changed nothing and can run again.");
		}
		if (kind.equals("MANUAL")) {
			return new Verdict(StepState.FAILED, "An interrupted checklist item changed nothing and can be ticked again.");
		}
		if (!transactional && !kind.equals("BACKUP")) {
			return new Verdict(StepState.UNKNOWN, "This step runs outside a transaction, so the target may hold some or "
					+ "all of it: a person must settle it, helped by the verification checks.");
		}
		return markerOfThisAttempt
				? new Verdict(StepState.SUCCEEDED, "The target holds this attempt's marker: the step committed.")
				: new Verdict(StepState.FAILED, "The step's session on the target has ended and the target holds no "
						+ "marker of this attempt, so its transaction did not commit. Nothing was changed; it is safe to retry.");
	}

	/** Whether the target must be asked (for the marker, or to end the old session) before deciding. */
	static boolean needsTarget(String kind) {
		return !kind.equals("CHECK") && !kind.equals("MANUAL");
	}

}
