package dev.backout.system;

/**
 * A text field longer than the console accepts. Everything a person types ends up in the
 * append-only trail, so every field has a limit; pages stop it in the browser (maxlength), and a
 * raw request gets a plain 400 naming the field.
 */
public class InputTooLong extends RuntimeException {

	/** Reasons, comments, symptoms: a paragraph or two. */
	public static final int TEXT = 2_000;

	/** A closing summary. */
	public static final int SUMMARY = 10_000;

	/** A short value: an answer, a confirmation, a checklist input. */
	public static final int SHORT = 500;

	private InputTooLong(String field, int max) {
		super("The " + field + " is too long: at most " + String.format("%,d", max) + " characters.");
	}

	/** @return {@code value}, when it is null or at most {@code max} characters long */
	public static String atMost(String value, int max, String field) {
		if (value != null && value.length() > max) {
			throw new InputTooLong(field, max);
		}
		return value;
	}

}
