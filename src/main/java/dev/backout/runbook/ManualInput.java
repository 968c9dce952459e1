package dev.backout.runbook;

import java.util.List;

/**
 * A value a person must enter before ticking a checklist item (e.g. backup location).
 *
 * @param options when set, the value is one of these
 */
public record ManualInput(String name, String label, List<String> options, Boolean required) {

	public ManualInput {
		options = (options != null) ? List.copyOf(options) : List.of();
	}

	public boolean mustBeFilled() {
		return !Boolean.FALSE.equals(this.required);
	}

}
