package dev.backout.runbook;

import java.math.BigDecimal;

/**
 * What a check's result must be: exactly one of the fields is set. A check without an
 * expectation only records its value (e.g. "row count documented").
 */
public record Expectation(Object equals, BigDecimal atMost, BigDecimal atLeast, Boolean empty, Boolean nonEmpty) {

	/** In plain words, e.g. "Expected: 0" or "Expected: at most 5". */
	public String describe() {
		if (this.equals != null) {
			return "Expected: " + this.equals;
		}
		if (this.atMost != null) {
			return "Expected: at most " + this.atMost.toPlainString();
		}
		if (this.atLeast != null) {
			return "Expected: at least " + this.atLeast.toPlainString();
		}
		if (Boolean.TRUE.equals(this.empty)) {
			return "Expected: no rows";
		}
		return "Expected: at least one row";
	}

}
