package dev.backout.approval;

/**
 * An approval or rejection that may not be given; the message says why.
 */
public class ApprovalRefused extends RuntimeException {

	public ApprovalRefused(String message) {
		super(message);
	}

}
