package dev.backout.audit;

/**
 * The trail could not be read to its end (connection lost, server stopped, a copy that does not
 * frame as it should): no verdict, never a shorter trail taken as intact.
 */
public class TrailUnreadable extends IllegalStateException {

	TrailUnreadable(String why) {
		super("Cannot read the trail: " + why + ".");
	}

	TrailUnreadable(Exception cause) {
		super("Cannot read the trail: " + cause.getMessage(), cause);
	}

}
