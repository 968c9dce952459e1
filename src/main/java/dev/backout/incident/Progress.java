package dev.backout.incident;

import java.util.List;

/**
 * The incident's phases as a rail, from deciding to done, with the one it is in.
 */
public record Progress(List<Stage> stages) {

	public record Stage(String label, Status status) {

		public String cssClass() {
			return "stage-" + this.status.name().toLowerCase();
		}

	}

	public enum Status {

		DONE, CURRENT, TODO, SKIPPED

	}

	private static final List<String> LABELS = List.of("Decide", "Pre-checks", "Approval", "Execute", "Verify", "Done");

	static Progress of(IncidentState state, boolean executes) {
		int current = switch (state) {
			case TRIAGE -> 0;
			case PRECHECK -> 1;
			case AWAITING_APPROVAL, REJECTED -> 2;
			case APPROVED, EXECUTING, HALTED -> 3;
			case VERIFYING -> 4;
			case COMPLETED, CLOSED, ABORTED -> 5;
		};
		return new Progress(java.util.stream.IntStream.range(0, LABELS.size()).mapToObj((i) -> {
			Status status = (i < current) ? Status.DONE : (i == current) ? Status.CURRENT : Status.TODO;
			if (!executes && i > 0 && i < 5 && state.terminal()) {
				status = Status.SKIPPED;
			}
			if (i == 5 && state.terminal()) {
				status = Status.DONE;
			}
			return new Stage(LABELS.get(i), status);
		}).toList());
	}

}
