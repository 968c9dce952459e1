package dev.backout.runbook;

import java.math.BigDecimal;

/**
 * What a check's result must be: exactly one of the fields is set. A check without an
 * expectation only records its value (e.g. "row count documented").
 *
 * @param succeeds the check's statements must all run without an error (a migration tool's
 * verify script that proves things by raising one, used as it is)
 * @param fails one of the check's statements must raise an error
 */
public record Expectation(Object equals, BigDecimal atMost, BigDecimal atLeast, Boolean empty, Boolean nonEmpty,
		Boolean succeeds, Boolean fails) {

	public Expectation(Object equals, BigDecimal atMost, BigDecimal atLeast, Boolean empty, Boolean nonEmpty) {
		this(equals, atMost, atLeast, empty, nonEmpty, null, null);
	}

	/** Whether this expectation is about an error being raised or not, rather than a value. */
	public boolean aboutErrors() {
		return Boolean.TRUE.equals(this.succeeds) || Boolean.TRUE.equals(this.fails);
	}

	/**
	 * Whether a check's result meets this expectation.
	 * @param hasRow whether the query returned a row
	 * @param value the first column of the first row (may be null)
	 */
	public boolean isMetBy(boolean hasRow, Object value) {
		if (aboutErrors()) {
			return Boolean.TRUE.equals(this.succeeds); // it ran to a value: no error was raised
		}
		if (Boolean.TRUE.equals(this.empty)) {
			return !hasRow;
		}
		if (Boolean.TRUE.equals(this.nonEmpty)) {
			return hasRow;
		}
		if (!hasRow || value == null) {
			return false;
		}
		if (this.equals != null) {
			BigDecimal expected = number(this.equals);
			BigDecimal actual = number(value);
			return (expected != null && actual != null) ? expected.compareTo(actual) == 0
					: String.valueOf(this.equals).equals(String.valueOf(value));
		}
		BigDecimal actual = number(value);
		if (actual == null) {
			return false;
		}
		return (this.atMost != null) ? actual.compareTo(this.atMost) <= 0 : actual.compareTo(this.atLeast) >= 0;
	}

	private static BigDecimal number(Object value) {
		if (value instanceof BigDecimal decimal) {
			return decimal;
		}
		if (value instanceof Number number) {
			return new BigDecimal(number.toString());
		}
		return null;
	}

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
		if (Boolean.TRUE.equals(this.succeeds)) {
			return "Expected: runs without an error";
		}
		if (Boolean.TRUE.equals(this.fails)) {
			return "Expected: raises an error";
		}
		return "Expected: at least one row";
	}

}
