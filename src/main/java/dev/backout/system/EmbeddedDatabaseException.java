package dev.backout.system;

/**
 * The embedded PostgreSQL server cannot run; the message says why in one line.
 */
public class EmbeddedDatabaseException extends RuntimeException {

	public EmbeddedDatabaseException(String message, Throwable cause) {
		super(message, cause);
	}

}
