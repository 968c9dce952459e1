package dev.backout.target;

/**
 * A target change or connection that cannot be made; the message is for the person.
 */
public class TargetException extends RuntimeException {

	public TargetException(String message) {
		super(message);
	}

	public TargetException(String message, Throwable cause) {
		super(message, cause);
	}

}
